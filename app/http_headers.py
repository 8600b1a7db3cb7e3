"""Security headers on every response, set in this one place (an after_request hook).

- Content-Security-Policy: scripts, styles, images, fonts and forms from this site only; no inline
  script or style (the pages carry none: behaviour lives in static/js, looks in static/css), no
  framing (frame-ancestors 'none'), no plugins, no <base> rewriting.
- X-Content-Type-Options: nosniff; Referrer-Policy: same-origin; X-Frame-Options for old browsers.
- Strict-Transport-Security only when the cookies are Secure (SESSION_COOKIE_SECURE=1: served over
  HTTPS); on plain HTTP it would lock a test server out of the browser.
- Server: the product only ("chidao"), never Werkzeug, Python or gunicorn (rename_servers()).
"""
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SERVER_NAME = "chidao"
HSTS = "max-age=31536000; includeSubDomains"


def register(app) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", HSTS)
        headers.pop("Server", None)  # the server writes its own, renamed below
        return response

    rename_servers()


def rename_servers() -> None:
    """Werkzeug's development server and gunicorn write their own Server line before the application's
    headers ("Werkzeug/3.1 Python/3.11", "gunicorn"): both say the product's name instead."""
    import sys

    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.version_string = lambda self: SERVER_NAME
    gunicorn_wsgi = sys.modules.get("gunicorn.http.wsgi")  # loaded when gunicorn serves the app
    if gunicorn_wsgi is not None:
        gunicorn_wsgi.SERVER = SERVER_NAME
