from fastapi import FastAPI

from .settings import settings

app = FastAPI()


@app.get("/debug/config")
async def debug_config():
    return settings.dict()
