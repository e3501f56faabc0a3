"""The newsroom side: newsrooms (the tenants), desks, people and their roles, API keys, articles."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    ADMIN = "admin", "Newsroom admin"
    EDITOR = "editor", "Editor"
    FACT_CHECKER = "fact_checker", "Fact-checker"
    REPORTER = "reporter", "Reporter"


class Newsroom(models.Model):
    name = models.CharField("name", max_length=200, help_text="The newsroom's name as editors know it.")
    slug = models.SlugField(
        "slug", max_length=60, unique=True, help_text="Short unique name used in commands and URLs."
    )
    created_at = models.DateTimeField("created", auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "newsroom"

    def __str__(self) -> str:
        return self.name


class Desk(models.Model):
    newsroom = models.ForeignKey(Newsroom, on_delete=models.CASCADE, related_name="desks")
    name = models.CharField("name", max_length=200, help_text="For example Politics, Business, Science.")
    slug = models.SlugField("slug", max_length=60, help_text="Unique within the newsroom.")
    created_at = models.DateTimeField("created", auto_now_add=True)

    class Meta:
        ordering = ["newsroom__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["newsroom", "slug"], name="desk_unique_slug_per_newsroom"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in one newsroom, and the desks they work on."""

    newsroom = models.ForeignKey(Newsroom, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        "role",
        max_length=20,
        choices=Role.choices,
        help_text=(
            "Fact-checkers take claims and give verdicts; editors also dismiss, reopen and reassign; "
            "reporters answer requests for attribution on their own articles; admins manage the newsroom."
        ),
    )
    desks = models.ManyToManyField(
        Desk,
        blank=True,
        related_name="memberships",
        verbose_name="desks",
        help_text="Desks this person works on; desk editors hear about flagged claims on their desk.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["newsroom", "user"], name="membership_one_per_user_per_newsroom"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.newsroom}"


class ApiKey(models.Model):
    """A newsroom's key for the REST API.

    Only a SHA-256 digest of the secret is stored: the key itself is shown once, at creation.
    Keys are 256-bit random tokens, so a fast digest is as safe here as a slow password hash.
    """

    newsroom = models.ForeignKey(Newsroom, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField("name", max_length=100, help_text="What uses this key, e.g. 'CMS production'.")
    prefix = models.CharField(
        "prefix", max_length=16, unique=True, editable=False, help_text="Public part of the key, for lookup."
    )
    hashed_secret = models.CharField("hashed secret", max_length=64, editable=False)
    role = models.CharField(
        "role",
        max_length=20,
        choices=Role.choices,
        default=Role.EDITOR,
        help_text="What an integration using this key may do in the review workflow.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(
        "revoked", null=True, blank=True, help_text="A revoked key is refused at once and cannot be restored."
    )
    last_used_at = models.DateTimeField(
        "last used", null=True, blank=True, help_text="Updated at most once a minute."
    )

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="apikey_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class BodyFormat(models.TextChoices):
    TEXT = "text", "Plain text"
    HTML = "html", "HTML"


class AnalysisStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ANALYZING = "analyzing", "Analyzing"
    ANALYZED = "analyzed", "Analyzed"
    FAILED = "failed", "Failed"


class Article(models.Model):
    newsroom = models.ForeignKey(Newsroom, on_delete=models.CASCADE, related_name="articles")
    desk = models.ForeignKey(
        Desk, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles", verbose_name="desk"
    )
    external_id = models.CharField(
        "external id",
        max_length=200,
        help_text="The article's id in the newsroom's CMS; submitting the same id again updates it.",
    )
    title = models.CharField("title", max_length=500, blank=True)
    url = models.URLField("URL", max_length=2000, blank=True, help_text="Where the article is published.")
    byline = models.CharField("byline", max_length=500, blank=True)
    published_on = models.DateField(
        "publication date",
        null=True,
        blank=True,
        help_text=(
            "The date the article was published, as the CMS sends it or, for an HTML page sent "
            "without one, as the page's metadata states it."
        ),
    )
    deadline = models.DateTimeField(
        "publication deadline",
        null=True,
        blank=True,
        help_text=(
            "When the article must be ready to publish. The review queue puts its claims first as it "
            "nears; if it is still blocked FACTDESK_DEADLINE_ESCALATION_MINUTES before, the desk's "
            "editors get one email and the webhooks an article.deadline_escalated event. Empty: none."
        ),
    )
    reporters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="reported_articles",
        verbose_name="reporters",
        help_text="People who answer requests for attribution on this article.",
    )
    body = models.TextField("body as submitted", help_text="Exactly as the CMS sent it.")
    body_format = models.CharField("body format", max_length=10, choices=BodyFormat.choices)
    body_hash = models.CharField("body digest", max_length=64, editable=False)
    canonical_text = models.TextField(
        "canonical text",
        blank=True,
        editable=False,
        help_text="The text that claim offsets refer to (HTML reduced to text).",
    )
    revision = models.PositiveIntegerField(
        "revision", default=1, help_text="Goes up by one each time the body changes."
    )
    analysis_status = models.CharField(
        "analysis", max_length=20, choices=AnalysisStatus.choices, default=AnalysisStatus.RECEIVED
    )
    analysis_error = models.TextField("analysis error", blank=True)
    analyzed_revision = models.PositiveIntegerField(
        "analyzed revision", null=True, blank=True, help_text="The revision the current claims come from."
    )
    word_count = models.PositiveIntegerField(
        "words",
        default=0,
        db_default=0,
        editable=False,
        help_text=(
            "Words in the canonical text of the analysed revision (runs of non-blank characters): "
            "the standards dashboard counts unnamed-source flags per 1,000 of them."
        ),
    )
    analysis_queued_at = models.DateTimeField(
        "analysis queued",
        null=True,
        blank=True,
        editable=False,
        help_text="When the analysis of the current revision was first queued.",
    )
    analysis_due_at = models.DateTimeField(
        "analysis due",
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "While the analysis is received or under way: when it is presumed lost (its message never "
            "arrived, or its worker died) and is queued again by the sweep."
        ),
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["newsroom", "external_id"], name="article_unique_external_id"),
            models.CheckConstraint(
                condition=Q(body_format__in=BodyFormat.values), name="article_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(analysis_status__in=AnalysisStatus.values), name="article_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(analysis_status=AnalysisStatus.FAILED) | ~Q(analysis_error=""),
                name="article_failure_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["newsroom", "-created_at"], name="article_newsroom_recent"),
            models.Index(fields=["newsroom", "updated_at"], name="article_newsroom_updated"),
            # The escalation sweep and the overdue count: articles with a deadline, by deadline.
            models.Index(fields=["deadline"], name="article_deadline", condition=Q(deadline__isnull=False)),
            models.Index(
                fields=["analysis_due_at"],
                name="article_analysis_due",
                condition=Q(analysis_status__in=["received", "analyzing"]),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.external_id


class ArticleRevision(models.Model):
    """One body of an article as it was sent, with who sent it and when: the article's history.

    Append-only.  Rows survive the deletion of the person or key who sent them: the link is set to
    NULL and ``sent_by_name`` keeps who it was.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(
        "revision", help_text="The article's revision counter when this body arrived, from 1."
    )
    body = models.TextField("body as submitted", help_text="Exactly as it was sent.")
    body_format = models.CharField("body format", max_length=10, choices=BodyFormat.choices)
    body_hash = models.CharField("body digest", max_length=64)
    sent_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="sent by (person)",
    )
    sent_by_api_key = models.ForeignKey(
        ApiKey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="sent by (API key)",
    )
    sent_by_name = models.CharField(
        "sent by", max_length=200, help_text="Who or which key sent this body, as they were named then."
    )
    created_at = models.DateTimeField("received", auto_now_add=True)

    class Meta:
        verbose_name = "article revision"
        ordering = ["article_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
            models.CheckConstraint(
                condition=Q(body_format__in=BodyFormat.values), name="revision_format_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article} — revision {self.number}"


class IdempotencyRecord(models.Model):
    """The answer to an API POST sent with an ``Idempotency-Key``, kept so that a retry gets it again.

    Scoped to the API key that sent it.  A row without a response status is a request still being
    answered: a retry meanwhile gets 409.  The same key with another request (method, path or body)
    gets 422.  Rows expire after ``FACTDESK_API_IDEMPOTENCY_TTL`` seconds.
    """

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+", verbose_name="API key")
    key = models.CharField(
        "idempotency key",
        max_length=255,
        help_text="The client's Idempotency-Key header; one request per key and API key.",
    )
    fingerprint = models.CharField(
        "request digest",
        max_length=64,
        help_text="SHA-256 of the method, path and body: the same key with another request is refused.",
    )
    method = models.CharField("method", max_length=10)
    path = models.TextField("path", help_text="The path and query string the request was sent to.")
    response_status = models.PositiveSmallIntegerField(
        "response status", null=True, blank=True, help_text="Empty while the first request is being answered."
    )
    response_body = models.TextField("response body", blank=True)
    response_headers = models.JSONField("response headers", default=dict, blank=True)
    created_at = models.DateTimeField("received", auto_now_add=True)
    expires_at = models.DateTimeField(
        "expires", help_text="After this the key may be used again, for any request."
    )

    class Meta:
        verbose_name = "idempotent request"
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_one_per_key"),
            models.CheckConstraint(
                condition=Q(response_status__isnull=True)
                | Q(response_status__gte=100, response_status__lte=599),
                name="idempotency_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["expires_at"], name="idempotency_expiry")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
