//! `aigis:forge/queue`: async-event pushes with Forge's limits, queued in
//! `host.db` for the consumer bound to the queue key.

use super::super::bindings::queue;
use super::super::ctx::ForgeCtxView;
use crate::hostdb::QueuedMessage;
use aigis_platform as plat;

/// Forge's async-event limits.
const MAX_EVENTS_PER_PUSH: usize = 50;
const MAX_EVENT_BYTES: usize = 200 * 1024;
const MAX_DELAY_SECONDS: u32 = 900;

impl queue::Host for ForgeCtxView<'_> {
    fn push(
        &mut self,
        queue_key: String,
        events: Vec<String>,
        delay_seconds: u32,
    ) -> Result<String, plat::QueueError> {
        self.ctx.stats.queue_pushes += 1;
        let invalid = plat::QueueError::InvalidPush;
        if self.ctx.svc.manifest.consumer_for(&queue_key).is_none() {
            return Err(invalid(format!(
                "no consumer is bound to queue `{queue_key}` in manifest.yml"
            )));
        }
        if events.is_empty() || events.len() > MAX_EVENTS_PER_PUSH {
            return Err(invalid(format!(
                "{} events (1..={MAX_EVENTS_PER_PUSH} per push)",
                events.len()
            )));
        }
        if let Some(big) = events.iter().find(|e| e.len() > MAX_EVENT_BYTES) {
            return Err(invalid(format!(
                "an event of {} bytes (at most {MAX_EVENT_BYTES})",
                big.len()
            )));
        }
        if delay_seconds > MAX_DELAY_SECONDS {
            return Err(invalid(format!(
                "delay of {delay_seconds} s (at most {MAX_DELAY_SECONDS})"
            )));
        }
        let svc = &self.ctx.svc;
        let job_id = svc.new_id("job-");
        let due = self.ctx.now_millis() + i64::from(delay_seconds) * 1000;
        let messages: Vec<QueuedMessage> = events
            .into_iter()
            .map(|body| QueuedMessage {
                id: svc.new_id("msg-"),
                job_id: job_id.clone(),
                queue_key: queue_key.clone(),
                body,
                due_ms: due,
                attempts: 0,
            })
            .collect();
        svc.hostdb
            .enqueue(&messages)
            .map_err(|e| plat::QueueError::Backend(e.to_string()))?;
        Ok(job_id)
    }

    fn convert_queue_error(
        &mut self,
        err: plat::QueueError,
    ) -> wasmtime::Result<queue::QueueError> {
        Ok(match err {
            plat::QueueError::Backend(detail) => {
                queue::QueueError::Backend(self.backend_failure("queue", &detail))
            }
            other => other.into(),
        })
    }
}
