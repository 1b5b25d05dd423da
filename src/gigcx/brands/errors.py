from gigcx.errors import Conflict, InvalidInput, NotFound


class BrandNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("brand not found")


class BrandSlugTaken(Conflict):
    def __init__(self, slug: str) -> None:
        super().__init__(f"a brand with slug {slug!r} already exists; choose another slug")


class ProgramNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("program not found; list your programs with GET /api/v1/programs")


class ProgramSlugTaken(Conflict):
    def __init__(self, slug: str) -> None:
        super().__init__(f"this brand already has a program with slug {slug!r}")


class InvalidProgramRules(InvalidInput):
    pass
