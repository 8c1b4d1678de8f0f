"""The page at / is complete without a build step: labelled controls, the vocabulary's
categories, and its script and style served from the package."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from atelier.serve.task_inputs import MAX_GARMENTS
from atelier.world.vocabulary import CATEGORIES


class ControlsAndLabels(HTMLParser):
    def __init__(self):
        super().__init__()
        self.control_ids: list[str] = []
        self.label_targets: set[str] = set()
        self.options: list[str] = []
        self.in_template = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self.in_template = True
        if tag in ("input", "select", "textarea") and not self.in_template:
            self.control_ids.append(attrs.get("id", ""))
        if tag == "label" and "for" in attrs:
            self.label_targets.add(attrs["for"])
        if tag == "option":
            self.options.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template = False


def test_every_control_on_the_page_has_a_label(client):
    page = ControlsAndLabels()
    page.feed(client.get("/").text)
    assert page.control_ids and all(page.control_ids)
    assert set(page.control_ids) <= page.label_targets


def test_the_page_offers_the_vocabularys_categories_and_garment_limit(client):
    html = client.get("/").text
    page = ControlsAndLabels()
    page.feed(html)
    assert page.options == list(CATEGORIES)
    assert f'data-max-garments="{MAX_GARMENTS}"' in html
    assert "{{" not in html


def test_script_and_style_are_served_and_the_script_posts_to_the_api(client):
    script = client.get("/static/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert 'fetch("/v1/tryon"' in script.text
    assert '"restore_detail"' in script.text  # the page's detail switch reaches the API
    assert client.get("/static/style.css").status_code == 200
    html = client.get("/").text
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(path).status_code == 200, path
