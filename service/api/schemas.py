"""Request and response schemas (marshmallow): they validate input and generate the OpenAPI document."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

LANGUAGE = validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", error="an ISO 639 language code such as 'fr' or 'en'")
NOT_BLANK = validate.Regexp(r"\S", error="must contain text, not only white space")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class ArticleSchema(StrictSchema):
    text = fields.String(validate=NOT_BLANK, metadata={"description": "plain text; the first line is the title"})
    html = fields.String(validate=NOT_BLANK, metadata={"description": "a whole HTML page; parsed, never rendered"})
    title = fields.String(validate=validate.Length(max=1000))
    url = fields.Url(
        schemes={"http", "https"},
        validate=validate.Length(max=2048),
        metadata={"description": "the article's address; fetched only when the service allows URL fetching"},
    )
    source = fields.String(validate=validate.Length(min=1, max=255), metadata={"description": "outlet domain"})
    published_at = fields.String(validate=validate.Length(max=64), metadata={"description": "ISO 8601 date"})
    language = fields.String(validate=LANGUAGE)
    id = fields.String(validate=validate.Length(max=256), metadata={"description": "the client's own id, echoed"})

    @validates_schema
    def _needs_body(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("text") and not data.get("html") and not data.get("url"):
            raise ValidationError("needs 'text', 'html' or (when URL fetching is on) 'url'", "_schema")


class ScoreRequestSchema(ArticleSchema):
    store = fields.Boolean(
        load_default=False, metadata={"description": "also add the article to the store (default false)"}
    )


class BatchRequestSchema(StrictSchema):
    articles = fields.List(fields.Nested(ArticleSchema), required=True, validate=validate.Length(min=1))
    store = fields.Boolean(load_default=False)


class FeedbackRequestSchema(StrictSchema):
    article_id = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{16}$"))
    target = fields.String(required=True, validate=validate.OneOf(["score", "flag"]))
    flag_type = fields.String(validate=validate.Length(max=32))
    start = fields.Integer(validate=validate.Range(min=0, max=10_000_000))
    end = fields.Integer(validate=validate.Range(min=0, max=10_000_000))
    verdict = fields.String(
        required=True,
        validate=validate.OneOf(["correct", "incorrect", "too_high", "too_low"]),
        metadata={"description": "flags: correct|incorrect; scores: correct|too_high|too_low"},
    )
    comment = fields.String(validate=validate.Length(max=4000))

    @validates_schema
    def _flag_needs_span(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("target") == "flag" and (data.get("start") is None or data.get("end") is None):
            raise ValidationError("a verdict on a flag names its 'start' and 'end'", "_schema")
        if data.get("start") is not None and data.get("end") is not None and data["end"] < data["start"]:
            raise ValidationError("'end' comes before 'start'", "end")


# -- responses ------------------------------------------------------------------------


class FlagSchema(Schema):
    type = fields.String(required=True)
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    text = fields.String(required=True)
    reason = fields.String(required=True)
    suggestion = fields.String(allow_none=True)
    sentence = fields.Integer(allow_none=True)


class SupporterSchema(Schema):
    article_id = fields.String(required=True)
    source = fields.String(required=True)


class ClaimSchema(Schema):
    text = fields.String(required=True)
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    kind = fields.String()
    cluster_id = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["supported", "unsupported", "contradicted", "insufficient_coverage"])
    )
    supported_by = fields.List(fields.Nested(SupporterSchema), required=True)
    check_worthy = fields.Boolean()
    hedged = fields.Boolean()


class ComponentSchema(Schema):
    value = fields.Float(required=True)
    contribution = fields.Float(required=True)
    evidence = fields.List(fields.Raw())


class SourceRatingSchema(Schema):
    domain = fields.String(allow_none=True, required=True)
    rating = fields.Float(allow_none=True, required=True, metadata={"description": "0-100"})
    interval = fields.List(fields.Float(), allow_none=True, required=True, metadata={"description": "90% interval"})
    n_articles = fields.Integer(required=True)


class ScoreSchema(Schema):
    article_id = fields.String(required=True, metadata={"description": "sha256 of the normalized text, 16 hex"})
    id = fields.String(allow_none=True)
    input = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    score = fields.Float(required=True, metadata={"description": "0-100"})
    label = fields.String(required=True, validate=validate.OneOf(["reliable", "mixed", "unreliable"]))
    confidence = fields.Float(required=True)
    model_version = fields.String(required=True)
    reasons = fields.List(fields.String(), required=True)
    components = fields.Dict(keys=fields.String(), values=fields.Nested(ComponentSchema), required=True)
    flags = fields.List(fields.Nested(FlagSchema), required=True)
    claims = fields.List(fields.Nested(ClaimSchema), required=True)
    coverage = fields.String(allow_none=True)
    independent_sources = fields.Integer(required=True)
    derivative_of = fields.Dict(allow_none=True)
    story_id = fields.String(required=True)
    source = fields.Nested(SourceRatingSchema, required=True)
    notes = fields.List(fields.String())
    text = fields.String(required=True, metadata={"description": "normalized text; flag offsets index into it"})
    stored = fields.Boolean(metadata={"description": "whether the article is in the store"})
    created = fields.Boolean(metadata={"description": "false when the same text was stored before"})
    scored_at = fields.String(allow_none=True)


class BatchResponseSchema(Schema):
    results = fields.List(fields.Nested(ScoreSchema), required=True)


class ArticleSchemaOut(Schema):
    article_id = fields.String(required=True)
    id = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    published_at = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    story_id = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    label = fields.String(allow_none=True)
    text = fields.String(required=True)
    created_at = fields.String(required=True)
    scored_at = fields.String(allow_none=True)


class IngestResponseSchema(Schema):
    article_id = fields.String(required=True)
    created = fields.Boolean(required=True)
    story_id = fields.String(required=True)
    score = fields.Float(required=True)
    label = fields.String(required=True)
    location = fields.String(required=True)


class StoryClaimSchema(Schema):
    article_id = fields.String(required=True)
    source = fields.String(required=True)
    text = fields.String(required=True)
    status = fields.String(required=True)


class StoryClusterSchema(Schema):
    cluster_id = fields.String(required=True)
    text = fields.String(required=True)
    sources = fields.List(fields.String(), required=True)
    n_articles = fields.Integer(required=True)
    claims = fields.List(fields.Nested(StoryClaimSchema), required=True)


class StoryArticleSchema(Schema):
    article_id = fields.String(required=True)
    title = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    published_at = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    label = fields.String(allow_none=True)


class StorySchema(Schema):
    story_id = fields.String(required=True)
    articles = fields.List(fields.Nested(StoryArticleSchema), required=True)
    claims = fields.List(fields.Nested(StoryClusterSchema), required=True)


class SourceHistorySchema(Schema):
    period = fields.String(required=True, metadata={"description": "YYYY-MM; the rating over articles up to it"})
    rating = fields.Float(required=True)
    interval = fields.List(fields.Float(), required=True)
    n_articles = fields.Integer(required=True)


class SourceSchema(SourceRatingSchema):
    history = fields.List(fields.Nested(SourceHistorySchema), required=True)


class FeedbackResponseSchema(Schema):
    id = fields.Integer(required=True)
    article_id = fields.String(required=True)


class ProblemSchema(Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.Raw(metadata={"description": "field -> messages, for 422"})


class StatusSchema(Schema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String())
