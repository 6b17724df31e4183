"""PDF downloads rendered from templates with WeasyPrint (fonts: Debian's fonts-noto-cjk)."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def pdf_response(request, template: str, context: dict, *, filename: str) -> HttpResponse:
    """The template rendered as a PDF attachment.

    WeasyPrint needs the system's Pango library; where it (or WeasyPrint) is missing the user
    gets a clear 503 instead of a server error.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError):
        return HttpResponse(
            _("服务器缺少生成PDF所需的组件（WeasyPrint 与 Pango），请联系系统管理员。"),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    html = render_to_string(template, context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
