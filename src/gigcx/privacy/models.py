import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, CreatedMixin


class DataKey(CreatedMixin, Base):
    """A data key (DEK), stored wrapped by a master key (KEK) or a KMS.

    ``purpose`` is "data" (encrypts values; one current key per brand, and one for rows of no
    brand) or "index" (the root of the blind-index keys, derived per brand).
    """

    __tablename__ = "data_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    brand_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("brands.id"))
    purpose: Mapped[str] = mapped_column(String(8), default="data")
    kek_id: Mapped[str] = mapped_column(String(200))
    wrapped_key: Mapped[str] = mapped_column(Text)
    retired_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_data_keys_brand", "brand_id", "purpose", "retired_at"),)
