from pydantic import BaseModel, ConfigDict


class Command(BaseModel):
    """An intent to change the system; every entry channel builds the same command."""

    model_config = ConfigDict(frozen=True, extra="forbid")
