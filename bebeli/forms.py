"""Forms shared across modules."""
from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A form with only the CSRF token: for action buttons (publish, approve, delete…)."""
