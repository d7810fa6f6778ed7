"""The sync API reads JSON into the same forms as the HTML pages, so both give the same messages."""

from werkzeug.datastructures import MultiDict


def json_formdata(payload: dict) -> MultiDict:
    """A JSON object as form data: lists become repeated fields and true becomes a ticked box."""
    data = MultiDict()
    for key, value in payload.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                if item:
                    data.add(key, "y")
            elif isinstance(item, (str, int, float)):
                data.add(key, str(item))
    return data
