"""The base page wires htmx safely: bundled script, strict config, CSRF on every request."""

import json
import re

import pytest
from django.test import Client


@pytest.mark.django_db
def test_base_page_serves_bundled_htmx_not_a_cdn(client):
    html = client.get("/").content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js"', html)
    assert "unpkg" not in html and "jsdelivr" not in html and "cdnjs" not in html


@pytest.mark.django_db
def test_htmx_config_is_strict(client):
    html = client.get("/").content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert match
    config = json.loads(match.group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True


@pytest.mark.django_db
def test_body_sends_csrf_token_header_and_htmx_post_needs_it():
    client = Client(enforce_csrf_checks=True)
    html = client.get("/").content.decode()
    match = re.search(r"<body hx-headers='\{\"x-csrftoken\": \"([^\"]+)\"\}'>", html)
    assert match, "the <body> must carry the CSRF token for htmx requests"
    token = match.group(1)
    # An htmx POST without the header is refused ...
    refused = client.post("/quiz/start/", headers={"HX-Request": "true"})
    assert refused.status_code == 403
    # ... and with the header it passes CSRF (then the empty form is a 400).
    accepted = client.post("/quiz/start/", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert accepted.status_code == 400
