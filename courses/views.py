"""How course pages serve trainees. Each page type's ``serve`` hands over to one function here,
which parses the request, calls one service, and renders. Module pages are never cached by a
shared cache: they are personal."""

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from wagtail import hooks

from . import selectors, services
from .filters import CourseFilter, with_total_hours
from .models import CoursePage, ModulePage

CATALOG_PAGE_SIZE = 12


def _login_url(next_url: str) -> str:
    return reverse("account_login") + "?" + urlencode({REDIRECT_FIELD_NAME: next_url})


def _signup_url(next_url: str) -> str:
    return reverse("account_signup") + "?" + urlencode({REDIRECT_FIELD_NAME: next_url})


def _personal(response):
    """Responses that show a person's own progress are private to their browser."""
    patch_cache_control(response, private=True)
    return response


def serve_catalog(request, catalog):
    base = with_total_hours(CoursePage.objects.live().child_of(catalog)).prefetch_related(
        "contact_hours__domain"
    )
    course_filter = CourseFilter(request.GET or None, queryset=base)
    courses = course_filter.qs if course_filter.is_bound and course_filter.is_valid() else base
    courses = courses.distinct().order_by("title")
    page_of_courses = Paginator(courses, CATALOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "courses/course_index_page.html",
        {
            "page": catalog,
            "self": catalog,
            "filter": course_filter,
            "courses": page_of_courses,
            "query_string": query.urlencode(),
            "is_filtered": any(
                request.GET.get(key) for key in ("q", "domain", "delivery", "length")
            ),
        },
    )


def serve_course(request, course: CoursePage):
    if request.method == "POST":
        return _enroll(request, course)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    modules = list(course.modules())
    enrollment = selectors.enrollment_of(request.user, course)
    status = selectors.course_status(enrollment, modules)
    progress = None
    if enrollment is not None:
        progress = selectors.CourseProgress(enrollment, course, modules, status)
    response = TemplateResponse(
        request,
        "courses/course_page.html",
        {
            "page": course,
            "self": course,
            "modules": modules,
            "enrollment": enrollment,
            "status": status,
            "progress": progress,
            "done_ids": selectors.done_module_ids(enrollment),
            "contact_hours": list(course.contact_hours.select_related("domain")),
            "estimated_minutes": sum(module.minutes for module in modules),
            "missing_prerequisites": selectors.unmet_prerequisites(request.user, course),
            "login_url": _login_url(course.url),
            "signup_url": _signup_url(course.url),
        },
    )
    return _personal(response) if request.user.is_authenticated else response


def _enroll(request, course: CoursePage):
    if not request.user.is_authenticated:
        return HttpResponseRedirect(_login_url(course.url))
    try:
        services.enrollment_create(trainee=request.user, course=course)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(course.url)
    messages.success(
        request, _("You are enrolled in %(course)s. Take your time.") % {"course": course.title}
    )
    first_module = course.modules().first()
    return HttpResponseRedirect(first_module.url if first_module else course.url)


def serve_module(request, module: ModulePage):
    course = CoursePage.objects.get(path=module.path[: -ModulePage.steplen])
    if request.method == "POST":
        response = _module_action(request, module, course)
    elif request.method in ("GET", "HEAD"):
        response = _module_page(request, module, course)
    else:
        response = HttpResponseNotAllowed(["GET", "POST"])
    add_never_cache_headers(response)
    return _personal(response)


def _module_page(request, module: ModulePage, course: CoursePage, *, draft=None, status=200):
    enrollment = selectors.enrollment_of(request.user, course)
    modules = list(course.modules())
    context = {
        "page": module,
        "self": module,
        "course": course,
        "modules": modules,
        "enrollment": enrollment,
        "login_url": _login_url(module.url),
        "signup_url": _signup_url(module.url),
    }
    if enrollment is None:
        return TemplateResponse(request, "courses/module_page_locked.html", context)
    services.module_visited(enrollment=enrollment, module=module)
    done_ids = selectors.done_module_ids(enrollment)
    position = next((index for index, m in enumerate(modules) if m.pk == module.pk), 0)
    context.update(
        {
            "done_ids": done_ids,
            "is_done": module.pk in done_ids,
            "body": _body_with_reflections(module, selectors.reflections_for(request.user, module)),
            "previous_module": modules[position - 1] if position > 0 else None,
            "next_module": modules[position + 1] if position + 1 < len(modules) else None,
            "position": position + 1,
            "show_content_note": bool(course.content_note) and not done_ids,
            "sections": _module_sections(request, module, enrollment),
            "draft": draft,
        }
    )
    return TemplateResponse(request, "courses/module_page.html", context, status=status)


def _module_sections(request, module: ModulePage, enrollment) -> list:
    """Extra sections other apps add below a module's teaching (its quiz, for example), through
    the ``register_module_sections`` hook: ``hook(request, module, enrollment) -> Panel | None``."""
    sections = [
        hook(request, module, enrollment) for hook in hooks.get_hooks("register_module_sections")
    ]
    return [section for section in sections if section is not None]


def _body_with_reflections(module: ModulePage, reflections: dict) -> list[tuple]:
    """Each block of the module with the trainee's saved answer, for reflection prompts."""
    return [(block, reflections.get(block.id)) for block in module.body]


def _module_action(request, module: ModulePage, course: CoursePage):
    if not request.user.is_authenticated:
        return HttpResponseRedirect(_login_url(module.url))
    action = request.POST.get("action")
    try:
        if action == "done":
            _completion, completed_course = services.module_mark_done(
                trainee=request.user, module=module
            )
            if completed_course:
                messages.success(
                    request,
                    _("Well done: you completed %(course)s. Its hours are in your record.")
                    % {"course": course.title},
                )
                return HttpResponseRedirect(course.url)
            messages.success(request, _("Module marked as done."))
            next_module = course.modules().filter(path__gt=module.path).first()
            return HttpResponseRedirect(next_module.url if next_module else course.url)
        if action == "reflection":
            block_id, text = request.POST.get("block_id", ""), request.POST.get("text", "")
            try:
                answer = services.reflection_save(
                    trainee=request.user, module=module, block_id=block_id, text=text
                )
            except ValidationError as error:
                if error.code == "not_enrolled":
                    raise
                # Keep what the trainee wrote on the page, with the reason beside it.
                draft = {"block_id": block_id, "text": text, "error": " ".join(error.messages)}
                return _module_page(request, module, course, draft=draft, status=400)
            messages.success(
                request,
                _("Your reflection was saved. Only you can see it.")
                if answer
                else _("Your reflection was cleared."),
            )
            return HttpResponseRedirect(module.url + "#reflection-" + block_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(module.url)
    messages.error(request, _("Something in that request was not understood. Please try again."))
    return HttpResponseRedirect(module.url)
