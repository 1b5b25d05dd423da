from tests.servers.zendesk import _zendesk_server, limiter_clock, zendesk

__all__ = ["_zendesk_server", "limiter_clock", "zendesk"]
