"""WSGI entry point: ``gunicorn wsgi:app`` (settings come from PORTFOLIO_* variables)."""

from portfolio import create_app
from portfolio.content import state

app = create_app()

with app.app_context():
    if not state().ready:
        raise SystemExit("content is not valid and there is no earlier index to serve: run `flask --app portfolio content check`")
