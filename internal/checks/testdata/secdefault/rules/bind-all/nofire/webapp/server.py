# Sanic's app.run is its production server; binding all interfaces is how
# the product is reached (like server.host: 0.0.0.0).
from sanic import Sanic

app = Sanic("tasks")

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
