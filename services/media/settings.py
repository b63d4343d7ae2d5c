"""The media service's own settings, beside the shared ones of services.core.settings."""

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.media.inspect import MIB, Limits

# Room for the multipart framing around the largest accepted file.
BODY_MARGIN = 1 * MIB


class MediaSettings(BaseSettings):
    """Size limits, URL lifetimes and retention; from the environment (MEDIA_*, S3_PUBLIC_ENDPOINT)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    media_max_image_bytes: int = 10 * MIB
    media_max_audio_bytes: int = 10 * MIB
    media_max_video_bytes: int = 200 * MIB
    # The host:port clients reach the object store at, when it differs from S3_ENDPOINT.
    s3_public_endpoint: str | None = None
    media_url_seconds: int = 15 * 60
    media_upload_seconds: int = 60 * 60
    media_retention_hours: float = 24.0
    media_retention_batch: int = 100
    media_retention_interval_seconds: float = 300.0
    # Where channel API keys are checked (intake owns them), and how long an answer is kept.
    intake_url: str = "http://127.0.0.1:8001"
    media_channel_key_seconds: float = 60.0

    @property
    def limits(self) -> Limits:
        """The per-kind size limits."""
        return Limits(image=self.media_max_image_bytes, audio=self.media_max_audio_bytes,
                      video=self.media_max_video_bytes)

    @property
    def max_body(self) -> int:
        """The largest request body the service reads at all."""
        return max(self.media_max_image_bytes, self.media_max_audio_bytes,
                   self.media_max_video_bytes) + BODY_MARGIN
