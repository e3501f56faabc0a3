"""Input and output serializers of the newsroom side of the API (their names are schema names)."""

from __future__ import annotations

from rest_framework import serializers

from editorial.models import ApiKey, Desk, Membership, Role
from httpapi.outputs import ModelOutput


class DeskOutput(ModelOutput):
    class Meta:
        model = Desk
        fields = ["id", "slug", "name", "created_at"]
        extra_kwargs = {"slug": {"help_text": "The desk's name in article submissions and list filters."}}


class PersonOutput(ModelOutput):
    """A person of the newsroom: their membership, with their login's public part (never an email)."""

    id = serializers.IntegerField(
        source="user_id", help_text="The person's id: what the claims' `assignee` filter takes."
    )
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.get_full_name", help_text="Full name, if the login has one.")
    active = serializers.BooleanField(source="user.is_active", help_text="False: the login is disabled.")
    desks = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    member_since = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Membership
        fields = ["id", "username", "name", "role", "desks", "active", "member_since"]


class PersonListFilters(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    desk = serializers.SlugField(required=False, help_text="Only people on this desk (its slug).")


class ApiKeyOutput(ModelOutput):
    active = serializers.BooleanField(source="is_active", help_text="False once revoked.")

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "role", "active", "created_at", "last_used_at", "revoked_at"]


class ApiKeyCreatedOutput(ApiKeyOutput):
    key = serializers.SerializerMethodField(
        help_text="The key itself, `fd_<prefix>.<secret>`: shown this once and never stored. Keep it now."
    )

    class Meta(ApiKeyOutput.Meta):
        fields = [*ApiKeyOutput.Meta.fields, "key"]

    def get_key(self, api_key) -> str:
        return self.context["raw_key"]


class ApiKeyCreateInput(serializers.Serializer):
    name = serializers.CharField(
        max_length=ApiKey._meta.get_field("name").max_length,
        help_text="What will use the key, e.g. 'CMS production'.",
    )
    role = serializers.ChoiceField(
        choices=Role.choices,
        default=Role.EDITOR,
        help_text="What the key may do in the review workflow; only an admin key manages keys.",
    )
