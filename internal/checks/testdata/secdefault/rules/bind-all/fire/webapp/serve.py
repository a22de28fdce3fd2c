import flask

from webapp import create_app

application = create_app()

if __name__ == "__main__":
    application.run(
        port=8000,
        host='0.0.0.0',
    )
