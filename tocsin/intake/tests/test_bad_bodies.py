"""Bodies that are cut off, malformed or too large: a clear 4xx, nothing
stored, and no encrypted upload left behind in the upload folder."""

from __future__ import annotations

from django.test import override_settings

from .conftest import FORM_REPORT, PDF, TEXT, Upload, multipart


def report_body(channel, files=()) -> tuple[bytes, str]:
    # The CSRF token comes first, as the form puts it: a cut body still carries it.
    return multipart({**channel.token_field(), **FORM_REPORT}, files)


def test_it_refuses_a_body_cut_off_inside_a_text_field(rita, channel, nothing_stored):
    body, content_type = report_body(channel)
    cut = body[: body.index(b"took every")]
    response = channel.send_body(cut, content_type)
    assert response.status_code == 400
    assert "cut off or malformed" in channel.errors(response)["__all__"][0]
    nothing_stored()


def test_it_refuses_a_body_cut_off_inside_a_file(rita, channel, nothing_stored):
    body, content_type = report_body(channel, [Upload("scan.txt", TEXT * 2000, "text/plain")])
    response = channel.send_body(body[: len(body) - 5000], content_type)
    assert response.status_code == 400
    assert "cut off or malformed" in channel.errors(response)["__all__"][0]
    nothing_stored()


def test_it_refuses_a_body_cut_off_before_the_closing_boundary(rita, channel, nothing_stored):
    body, content_type = report_body(channel, [Upload("warrant.pdf", PDF, "application/pdf")])
    response = channel.send_body(body[: body.rindex(b"--tocsin")], content_type)
    assert response.status_code == 400
    nothing_stored()


def test_it_refuses_a_body_with_another_boundary(rita, channel, nothing_stored):
    body, _content_type = report_body(channel)
    response = channel.send_body(body, "multipart/form-data; boundary=somethingelse")
    assert response.status_code == 400
    nothing_stored()


def test_it_refuses_multipart_without_a_boundary(rita, channel, nothing_stored):
    body, _content_type = report_body(channel)
    response = channel.send_body(body, "multipart/form-data")
    assert response.status_code == 400
    assert "cut off or malformed" in channel.errors(response)["__all__"][0]
    nothing_stored()


def test_it_removes_a_file_that_broke_off_while_arriving(rita, channel, nothing_stored):
    # Base64 that ends mid-quantum fails after the first bytes were encrypted to disk.
    body, content_type = report_body(channel, [Upload("scan.txt", b"UHJvdG9jb2wgb2Ygc2VhcmNo", "text/plain")])
    body = body.replace(b"Content-Type: text/plain\r\n",
                        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n")
    body = body.replace(b"UHJvdG9jb2wgb2Ygc2VhcmNo", b"UHJvdG9jb2wgb2Ygc2VhcmN")
    response = channel.send_body(body, content_type)
    assert response.status_code == 400
    nothing_stored()


@override_settings(MAX_FILE_BYTES=1024 * 1024)
def test_it_refuses_a_file_over_the_limit(rita, channel, nothing_stored):
    response = channel.send(files=[Upload("big.txt", b"a" * (1024 * 1024 + 1), "text/plain"),
                                   Upload("small.txt", b"b" * 100, "text/plain")])
    assert response.status_code == 413
    assert channel.errors(response)["files"] == ["“big.txt” is larger than 1 MB."]
    nothing_stored()


def test_it_accepts_a_file_exactly_at_the_limit(rita, channel, settings):
    settings.MAX_FILE_BYTES = 1024 * 1024
    response = channel.send(files=[Upload("scan.txt", b"a" * settings.MAX_FILE_BYTES, "text/plain")])
    assert response.status_code == 201


@override_settings(MAX_FILE_BYTES=1024 * 1024, MAX_REPORT_BYTES=1024 * 1024)
def test_it_refuses_files_over_the_report_limit_together(rita, channel, nothing_stored):
    chunk = b"a" * (900 * 1024)
    response = channel.send(files=[Upload("one.txt", chunk, "text/plain"),
                                   Upload("two.txt", chunk, "text/plain")])
    assert response.status_code == 413
    assert channel.errors(response)["files"] == ["All files together are larger than 1 MB."]
    nothing_stored()


@override_settings(MAX_REPORT_BYTES=1024)
def test_it_refuses_a_body_over_the_report_limit_before_reading_it(rita, channel, nothing_stored):
    body, content_type = report_body(channel, [Upload("big.txt", b"a" * (2 * 1024 * 1024 + 2048),
                                                      "text/plain")])
    response = channel.send_body(body, content_type)
    assert response.status_code == 413
    assert "The report is too large" in channel.errors(response)["__all__"][0]
    nothing_stored()


def test_it_refuses_an_announced_length_over_the_limit(rita, channel, nothing_stored):
    body, content_type = report_body(channel)
    response = channel.send_body(body, content_type, CONTENT_LENGTH=str(10 * 1024**3))
    assert response.status_code == 413
    nothing_stored()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096)
def test_it_refuses_text_fields_over_the_limit(rita, channel, nothing_stored):
    response = channel.send({"narrative": "x" * 5000}, files=[Upload("warrant.pdf", PDF, "application/pdf")])
    assert response.status_code == 413
    assert "The limit is 4 KB" in channel.errors(response)["__all__"][0]
    nothing_stored()


@override_settings(MAX_FILES_PER_REPORT=2)
def test_it_refuses_too_many_files(rita, channel, nothing_stored):
    response = channel.send(files=[Upload(f"{n}.pdf", PDF, "application/pdf") for n in range(3)])
    assert response.status_code == 400
    assert channel.errors(response)["files"] == ["Attach at most 2 files to one report."]
    nothing_stored()


@override_settings(DATA_UPLOAD_MAX_NUMBER_FILES=3)
def test_it_refuses_more_files_than_any_report_may_carry(rita, channel, nothing_stored):
    response = channel.send(files=[Upload(f"{n}.pdf", PDF, "application/pdf") for n in range(4)])
    assert response.status_code == 400
    # Refused before any form exists: the API names the field, the page says it in prose.
    (messages,) = channel.errors(response).values()
    assert messages == ["Too many files were attached. Attach at most 3 files."]
    nothing_stored()


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=20)
def test_it_refuses_a_flood_of_fields(rita, channel, nothing_stored):
    response = channel.send({"act_types": ["raid"] * 50})
    assert response.status_code == 400
    assert "far more fields" in channel.errors(response)["__all__"][0]
    nothing_stored()
