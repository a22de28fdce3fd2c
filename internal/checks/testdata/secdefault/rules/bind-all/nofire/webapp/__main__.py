from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "tasks"


if __name__ == "__main__":
    # host="0.0.0.0" would expose the development server
    app.run(host="127.0.0.1", port=5000)
