"""A unit's own settings, kept by its coordinator: the word for its residential areas."""

from app.extensions import lazy_gettext as _l
from app.models import Role, User, Ward
from app.services import audit
from app.services.errors import FieldError
from app.services.scope import get_in_scope, require_role
from app.units import AreaWord


class SettingsError(FieldError):
    """A settings change was refused."""


def set_area_word(actor: User, word: str | None) -> Ward:
    """The coordinator's own unit calls its residential areas `word` (one of `AreaWord`)."""
    require_role(actor, Role.COORDINATOR, what="unit.settings")
    unit = get_in_scope(actor, Ward, actor.ward_code)
    try:
        chosen = AreaWord(word or "")
    except ValueError:
        raise SettingsError("area_word", _l("Choose one of the words in the list.")) from None
    before = unit.area_word
    unit.area_word = chosen.value
    audit.record(actor, "unit.settings", unit, ward_code=unit.code, area_word=chosen.value, before=before)
    return unit
