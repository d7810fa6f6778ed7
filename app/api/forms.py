"""The sync API reads JSON into the same forms as the HTML pages, so both give the same messages."""

from app.forms import FieldData


def json_formdata(payload: dict) -> FieldData:
    """A JSON object as form data: lists become repeated fields and true becomes a ticked box."""
    data = []
    for key, value in payload.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                if item:
                    data.append((key, "y"))
            elif isinstance(item, (str, int, float)):
                data.append((key, str(item)))
    return FieldData(data)
