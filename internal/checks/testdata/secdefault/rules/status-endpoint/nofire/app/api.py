from fastapi import Depends, FastAPI

from .auth import require_admin
from .settings import settings

app = FastAPI()


@app.get("/debug/config", dependencies=[Depends(require_admin)])
async def debug_config():
    return settings.dict()


@app.get("/status")
async def status(user=Depends(get_current_user)):
    return {"config": settings.dict()}
