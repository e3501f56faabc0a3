"""Admin for the newsroom side.  Writes go through ``editorial.services``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from editorial import keycache, services
from editorial.models import ApiKey, Desk, Membership, Newsroom, Role


def newsrooms_of(user) -> QuerySet[Newsroom]:
    """The newsrooms a person may see in the admin: all for superusers, else their memberships."""
    if user.is_superuser:
        return Newsroom.objects.all()
    return Newsroom.objects.filter(memberships__user=user)


def memberships_of(user) -> frozenset[tuple[int, str]]:
    """(newsroom id, role) for each of a person's memberships (cached on the user for the request)."""
    cached = getattr(user, "_factdesk_memberships", None)
    if cached is None:
        cached = frozenset(Membership.objects.filter(user=user).values_list("newsroom_id", "role"))
        user._factdesk_memberships = cached
    return cached


def roles_of(user) -> frozenset[str]:
    """The roles a person holds in any newsroom."""
    return frozenset(role for _, role in memberships_of(user))


class NewsroomScopedAdmin(admin.ModelAdmin):
    """Shows staff only the rows of their own newsrooms (superusers see everything).

    Access follows newsroom roles rather than Django's per-model permissions, and the same rules as
    the API: ``view_roles`` see their newsrooms' rows (None: every member; API keys, webhooks, search
    providers and the outbox are their newsroom admins' only, as in the API); ``edit_roles`` may add
    and change them.  Every action names the permission it needs (``@admin.action(permissions=...)``),
    so that no role is offered what it may not do.  The list filters on a relation (a newsroom, a
    desk) offer only what the viewer's rows hold, never another newsroom's name.  Superusers may do
    everything.
    """

    newsroom_path = "newsroom"
    view_roles: frozenset[str] | None = None
    edit_roles: frozenset[str] = frozenset({Role.ADMIN})

    def has_role(self, request, roles: frozenset[str]) -> bool:
        return request.user.is_superuser or bool(roles_of(request.user) & roles)

    def viewable_newsroom_ids(self, request) -> set[int]:
        """The newsrooms where the person holds one of ``view_roles`` (any role when it is None)."""
        return {
            newsroom_id
            for newsroom_id, role in memberships_of(request.user)
            if self.view_roles is None or role in self.view_roles
        }

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and (
            request.user.is_superuser or bool(self.viewable_newsroom_ids(request))
        )

    def has_view_permission(self, request, obj=None) -> bool:
        if not self.has_module_permission(request):
            return False
        if obj is None or request.user.is_superuser:
            return True
        return self.newsroom_id_of(obj) in self.viewable_newsroom_ids(request)

    def get_list_filter(self, request):
        """Relations filtered by the values the viewer's rows hold (Django's "related only" filter):
        the plain one would list every newsroom and desk there is."""
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
                item = (item, admin.RelatedOnlyFieldListFilter)
            filters.append(item)
        return filters

    def has_add_permission(self, request) -> bool:
        return self.has_role(request, self.edit_roles)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None or request.user.is_superuser or not self.has_add_permission(request):
            return self.has_add_permission(request)
        return self.newsroom_id_of(obj) in self.writable_newsroom_ids(request)

    def writable_newsroom_ids(self, request) -> set[int]:
        """The newsrooms where the person holds one of ``edit_roles`` (a role elsewhere gives nothing)."""
        return {newsroom_id for newsroom_id, role in memberships_of(request.user) if role in self.edit_roles}

    def writable_newsrooms(self, request) -> QuerySet[Newsroom]:
        if request.user.is_superuser:
            return Newsroom.objects.all()
        return Newsroom.objects.filter(pk__in=self.writable_newsroom_ids(request))

    def newsroom_id_of(self, obj) -> int:
        *path, last = self.newsroom_path.split("__")
        for name in path:
            obj = getattr(obj, name)
        return getattr(obj, f"{last}_id")

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.newsroom_path}__in": self.viewable_newsroom_ids(request)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Newsroom:
            kwargs["queryset"] = self.writable_newsrooms(request)
        elif db_field.related_model is Desk:
            kwargs["queryset"] = Desk.objects.filter(newsroom__in=self.writable_newsrooms(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is Desk:
            kwargs["queryset"] = Desk.objects.filter(newsroom__in=self.writable_newsrooms(request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ServiceWrittenAdmin(NewsroomScopedAdmin):
    """An admin whose ``save_form`` writes through a service and returns the saved object.

    The admin then only logs it: ``save_model`` does nothing, and related rows shown inline are
    read-only, so "saving" them only lets the admin see that nothing changed.
    """

    def save_form(self, request, form, change):
        raise NotImplementedError("call the service that writes this model")

    def save_model(self, request, obj, form, change):
        pass

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            formset.save(commit=False)


class ReadOnlyAdmin(NewsroomScopedAdmin):
    """Rows only the services write (the audit trail, the analysis's flags, webhook deliveries):
    people read and filter them here, and never add, edit or delete them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DeskInline(admin.TabularInline):
    model = Desk
    extra = 0
    fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Newsroom)
class NewsroomAdmin(NewsroomScopedAdmin):
    list_display = ["name", "slug", "desk_count", "member_count", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DeskInline]

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def newsroom_id_of(self, obj) -> int:
        return obj.pk

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:  # API requests carry their key's newsroom from the cache: refresh it
            keycache.forget(list(obj.api_keys.values_list("prefix", flat=True)))

    def get_queryset(self, request):
        return newsrooms_of(request.user).annotate(
            desk_total=Count("desks", distinct=True), member_total=Count("memberships", distinct=True)
        )

    @admin.display(description="desks", ordering="desk_total")
    def desk_count(self, newsroom) -> int:
        return newsroom.desk_total

    @admin.display(description="people", ordering="member_total")
    def member_count(self, newsroom) -> int:
        return newsroom.member_total


@admin.register(Desk)
class DeskAdmin(NewsroomScopedAdmin):
    list_display = ["name", "newsroom", "slug"]
    list_filter = ["newsroom"]
    search_fields = ["name", "slug", "newsroom__name"]
    list_select_related = ["newsroom"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(ServiceWrittenAdmin):
    list_display = ["user", "newsroom", "role", "desk_names"]
    list_filter = ["role", "newsroom"]
    search_fields = ["user__username", "user__email", "newsroom__name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["desks"]
    list_select_related = ["user", "newsroom"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("desks")

    def get_search_fields(self, request):
        # The API never shows a person's email; only a newsroom admin (who manages logins) finds
        # people by it, or a search would tell anyone whose address it is.
        if self.has_role(request, frozenset({Role.ADMIN})):
            return self.search_fields
        return [field for field in self.search_fields if "email" not in field]

    @admin.display(description="desks")
    def desk_names(self, membership) -> str:
        return ", ".join(desk.name for desk in membership.desks.all()) or "—"

    def save_form(self, request, form, change):
        data = form.cleaned_data
        return services.member_add(
            newsroom=form.instance.newsroom if change else data["newsroom"],
            user=form.instance.user if change else data["user"],
            role=data["role"],
            desks=list(data.get("desks") or ()),
            only_these_desks=True,
        )

    def get_readonly_fields(self, request, obj=None):
        return ["newsroom", "user"] if obj is not None else []


class ApiKeyCreateForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["newsroom", "name", "role"]


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceWrittenAdmin):
    view_roles = frozenset({Role.ADMIN})  # as the API: only an admin key lists the keys
    list_display = ["name", "newsroom", "prefix", "role", "created_at", "last_used_at", "active"]
    list_filter = ["newsroom", "role", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "newsroom__name"]
    list_select_related = ["newsroom"]
    readonly_fields = [
        "newsroom",
        "name",
        "role",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["newsroom", "name", "role"] if obj is None else self.readonly_fields

    def save_form(self, request, form, change):
        if change:
            return form.instance  # a key cannot be edited, only revoked
        issued = services.api_key_create(
            newsroom=form.cleaned_data["newsroom"],
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],
            created_by=request.user,
        )
        self.message_user(
            request,
            f"The new key is {issued.raw_key} — copy it now: it is stored only as a digest and will not be "
            "shown again.",
            messages.WARNING,
        )
        return issued.api_key

    @admin.display(boolean=True, description="active", ordering="revoked_at")
    def active(self, api_key) -> bool:
        return api_key.is_active

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke(self, request, queryset):
        revoked = 0
        for api_key in queryset.filter(revoked_at=None, newsroom__in=self.writable_newsrooms(request)):
            services.api_key_revoke(api_key=api_key)
            revoked += 1
        self.message_user(request, f"{revoked} key(s) revoked.", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the audit trail keeps pointing at the key
