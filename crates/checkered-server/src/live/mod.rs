//! Live fan-out of derived events to WebSocket subscribers (filled in with the hub).
