"""Every page needs a login, except an explicit allow-list.

The test walks the root URLconf, so a new URL is checked the day it is added: a new public page
fails here until someone adds it to PUBLIC on purpose.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

SAMPLE = "1"

# Anonymous GET → expected status. Nothing else may answer an anonymous visitor.
PUBLIC = {
    "/accounts/login/": 200,
    "/admin/login/": 200,  # Django admin's own login page
    "/i18n/setlang/": 405,  # the language switch: POST only, open before login
}

# Patterns this walker cannot turn into a concrete path. Keep it short and explicit.
EXPECTED_UNBUILDABLE: set[str] = set()

LOGIN_PAGES = ("/accounts/login/", "/admin/login/")

_CONVERTER = re.compile(r"<(?:\w+:)?\w+>")
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
# An unnamed "one path segment" group, as django-simple-history's version page uses.
_SEGMENT_GROUP = re.compile(r"\(\[\^/\]\+\)")
_REGEX_LEFTOVERS = re.compile(r"[\\()\[\]{}*+?|^$]")


def _group_sample(body: str) -> str:
    """A value for a named group: the first alternative if it is a plain alternation."""
    first = body.split("|")[0]
    if re.fullmatch(r"[\w-]+", first):
        return first
    return SAMPLE


def _replace_named_groups(regex: str) -> str:
    out, position = [], 0
    while match := _NAMED_GROUP.search(regex, position):
        out.append(regex[position : match.start()])
        depth, index = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(regex[index], 0)
            index += 1
        out.append(_group_sample(regex[match.end() : index - 1]))
        position = index
    out.append(regex[position:])
    return "".join(out)


def build(pattern) -> str | None:
    """A concrete path segment for one route or regex pattern, or None if it cannot be built."""
    if isinstance(pattern, RoutePattern):
        return _CONVERTER.sub(SAMPLE, pattern._route)
    if isinstance(pattern, RegexPattern):
        text = _SEGMENT_GROUP.sub(SAMPLE, _replace_named_groups(pattern._regex))
        text = text.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
        return None if _REGEX_LEFTOVERS.search(text) else text
    return None


def walk(patterns, prefix: str = "", raw_prefix: str = ""):
    """(concrete path or None, readable pattern, URLPattern) for every endpoint."""
    for entry in patterns:
        segment = build(entry.pattern)
        raw = raw_prefix + str(entry.pattern)
        path = None if segment is None or prefix is None else prefix + segment
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, path, raw)
        else:
            assert isinstance(entry, URLPattern)
            yield path, raw, entry


def all_endpoints() -> tuple[dict[str, URLPattern], set[str]]:
    built, unbuildable = {}, set()
    for path, raw, entry in walk(get_resolver().url_patterns):
        if path is None:
            unbuildable.add(raw)
        else:
            assert "/" + path not in built, f"two patterns build {path!r}; pick other samples"
            built["/" + path] = entry
    return built, unbuildable


ENDPOINTS, UNBUILDABLE = all_endpoints()


def test_walk_covers_the_url_conf():
    assert UNBUILDABLE == EXPECTED_UNBUILDABLE
    # A sanity floor: the site's own pages and the admin's are all there.
    for path in ("/", "/members/", "/members/export.csv", "/members/1/", "/admin/"):
        assert path in ENDPOINTS
    assert "/admin/aidledger/member/1/change/" in ENDPOINTS
    assert "/admin/auth/" in ENDPOINTS  # from (?P<app_label>auth|aidledger)
    assert "/admin/1" in ENDPOINTS  # the admin's catch-all (?P<url>.*)$
    assert len(ENDPOINTS) > 40


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_built_path_resolves_to_its_own_pattern(path):
    assert resolve(path).func is ENDPOINTS[path].callback


def test_allow_list_has_no_stale_entries():
    assert set(PUBLIC) <= set(ENDPOINTS)


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(set(ENDPOINTS) - set(PUBLIC)))
def test_anonymous_visitor_is_sent_to_login(client, path):
    response = client.get(path)
    if response.status_code == 403:
        return
    assert response.status_code == 302, f"{path} answers an anonymous visitor"
    assert response.url.startswith(LOGIN_PAGES), response.url


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "status"), sorted(PUBLIC.items()))
def test_public_pages_answer_anonymous_visitor(client, path, status):
    assert client.get(path).status_code == status
