"""WSGI entry point: ``gunicorn wsgi:app`` (settings come from PORTFOLIO_* variables).

gunicorn reads ./gunicorn.conf.py, whose ``on_starting`` syncs the content index in the master
before any worker forks; a worker only reads it (and answers 503 while there is none).
"""

from portfolio import create_app

app = create_app()
