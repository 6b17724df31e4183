"""A worker's own training (phone-first), certificates as PDFs, and the public verification."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.pdf import pdf_response
from core.refusals import attempt
from core.validation import refuse_nul
from training import forms, selectors, services
from training.models import Certificate, ContentArea, Survey


@login_required
def me(request):
    """The worker's hours this year against what they owe, their courses and certificates, and
    the open needs surveys they can answer."""
    user = request.user
    worker = selectors.own_worker(user)
    if worker is None:
        if not user.has_perm("training.view_own"):
            raise Http404
        return render(request, "training/me.html", {"worker": None})
    data = selectors.own_training(worker, clock.today().year)
    areas = ContentArea.objects.filter(district_id=worker.district_id)
    answer_form = forms.AnswerForm(areas=areas)
    if request.method == "POST":
        survey_id = request.POST.get("survey", "")
        survey = get_object_or_404(Survey, pk=int(survey_id) if survey_id.isdigit() else 0, district_id=worker.district_id)  # fmt: skip
        answer_form = forms.AnswerForm(request.POST, areas=areas)
        if answer_form.is_valid() and attempt(
            request, services.survey_answer, actor=user, survey=survey, worker=worker,
            on_form=answer_form, done_message=_("已提交培训需求，谢谢。"), **answer_form.cleaned_data,
        ):  # fmt: skip
            return redirect("training:me")
    return render(
        request, "training/me.html", {"worker": worker, "answer_form": answer_form, **data}
    )


@login_required
def certificate_pdf(request, pk):
    """A certificate as a numbered PDF with its verification code: for the worker themselves
    and those who may see the worker's training."""
    certificate = get_object_or_404(
        Certificate.objects.select_related(
            "worker__person", "worker__community", "attendance__enrolment__course__area"
        ),
        pk=pk,
    )
    if not request.user.has_perm("training.view_worker", certificate.worker):
        raise Http404
    verify_url = request.build_absolute_uri(reverse("training:verify"))
    return pdf_response(request, "training/certificate_pdf.html",
                        {"c": certificate, "course": certificate.attendance.enrolment.course,
                         "verify_url": verify_url},
                        filename=f"training-{certificate.number}.pdf")  # fmt: skip


@refuse_nul(search=())
def verify(request):
    """Public check of a training certificate by its verification code (the name, course and
    date; nothing else about the person)."""
    code = request.GET.get("code", "").strip().upper()[:16]
    certificate = None
    if code:
        certificate = (
            Certificate.objects.select_related("worker__person", "attendance__enrolment__course")
            .filter(verification_code=code)
            .first()
        )
    return render(request, "training/verify.html", {"code": code, "c": certificate})
