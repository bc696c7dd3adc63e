"""The upload handler stops storing an evidence file past the limit and leaves others alone."""

from evidence.uploads import EvidenceSizeLimitHandler, OversizeUpload


def feed(handler, field: str, chunks: list[bytes]):
    handler.new_file(field, "文件.pdf", "application/pdf", None)
    passed = [handler.receive_data_chunk(chunk, 0) for chunk in chunks]
    return passed, handler.file_complete(sum(map(len, chunks)))


def test_evidence_file_past_the_limit_is_no_longer_passed_on(settings):
    settings.EVIDENCE_MAX_BYTES = 10
    passed, complete = feed(EvidenceSizeLimitHandler(), "evidence-file", [b"x" * 8, b"x" * 8, b"x"])
    assert passed == [b"x" * 8, None, None]
    assert isinstance(complete, OversizeUpload)
    assert complete.size == 17
    assert complete.name == "文件.pdf"


def test_evidence_file_within_the_limit_goes_to_the_next_handler(settings):
    settings.EVIDENCE_MAX_BYTES = 10
    passed, complete = feed(EvidenceSizeLimitHandler(), "evidence-file", [b"x" * 10])
    assert passed == [b"x" * 10]
    assert complete is None


def test_other_file_fields_are_not_limited(settings):
    settings.EVIDENCE_MAX_BYTES = 10
    passed, complete = feed(EvidenceSizeLimitHandler(), "import-file", [b"x" * 8] * 3)
    assert passed == [b"x" * 8] * 3
    assert complete is None


def test_admin_inline_fields_are_limited(settings):
    settings.EVIDENCE_MAX_BYTES = 10
    field = "evidence-evidence-content_type-object_id-0-file"
    _passed, complete = feed(EvidenceSizeLimitHandler(), field, [b"x" * 11])
    assert isinstance(complete, OversizeUpload)
