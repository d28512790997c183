"""A Content-Security-Policy with no inline script, and templates that need none (issue 11, item 14)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_inline_script(client, county_user):
    client.force_login(county_user)
    policy = directives(client.get(reverse("core:workbench")))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_no_template_has_an_inline_script_or_handler():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        found += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]
        found += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in HANDLER.finditer(text)]
        if "<style" in text:
            found.append(f"{path.relative_to(TEMPLATES)}: <style>")
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/accounts/login/", "/mutualaid/status/"])
def test_rendered_pages_have_no_inline_script(client, url):
    page = client.get(url).content.decode()
    assert not INLINE_SCRIPT.search(page) and not HANDLER.search(page)


@pytest.mark.django_db
def test_figures_pages_draw_their_chart_from_data_attributes(client, county_user):
    client.force_login(county_user)
    page = client.get(reverse("members:figures")).content.decode()
    assert not INLINE_SCRIPT.search(page)
