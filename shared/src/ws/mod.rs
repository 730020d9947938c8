//! The realtime core, whatever carries the sockets: a connection opens for an authenticated
//! identity ([`connect`]), sends frames ([`frame`]) and closes ([`disconnect`]). The local
//! runtime's gateway calls these directly; on AWS, [`api_gateway`] turns API Gateway's
//! WebSocket events into these calls. Answers (`ack`, `error`, `pong`, a sync's events) are
//! pushed to the caller's connection through the push port, as every other frame is.

mod actions;
pub mod api_gateway;

use chrono::{DateTime, Utc};
use tracing::Instrument;

use crate::app::App;
use crate::domain::ConnectionId;
use crate::metrics::Metric;
use crate::protocol::actions::Action;
use crate::protocol::frame::Frame;
use crate::usecases::Identity;
use crate::AppError;

/// Opens `connection` for `who` (authenticated when the socket was requested). The core's
/// three calls are the transports' whole surface, even where one only forwards to its use case.
pub async fn connect(app: &App, who: &Identity, connection: &ConnectionId) -> Result<(), AppError> {
    app.connections.connect(who, connection).await
}

/// Runs one frame `text` from `connection`, which arrived at `received_at`, and pushes the answer
/// back to it; a `sendMessage`'s wait is timed (`AckLatency`).
pub async fn frame(app: &App, who: &Identity, connection: &ConnectionId, text: &str, received_at: DateTime<Utc>) {
    let frame = Frame::parse(text, app.config.limits.max_frame_bytes);
    let span = tracing::info_span!(
        "ws_action",
        tenant = %who.tenant_id,
        user = %who.user_id,
        connection = %connection,
        action = frame.action.as_ref().map_or("invalid", |a| a.name()),
    );
    let answer = actions::run(app, who, connection, &frame).instrument(span).await;
    if let Err(e) = app.ports.push.push_to_connection(connection, &answer).await {
        tracing::info!(connection = %connection, error = %e, "could not answer the caller");
    }
    if matches!(frame.action, Ok(Action::SendMessage(_))) {
        let now = app.ports.clock.now();
        let millis = (now - received_at).num_milliseconds().max(0) as u64;
        app.services.metrics.latency(Metric::AckLatency, millis, &who.tenant_id, now);
    }
}

/// Closes `connection` of `who`.
pub async fn disconnect(app: &App, who: &Identity, connection: &ConnectionId) -> Result<(), AppError> {
    app.services.frame_rate.forget(connection);
    app.connections.disconnect(who, connection).await
}
