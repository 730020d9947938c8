//! Jobs due later, taken once.

use chrono::{Duration, Utc};
use missive::domain::*;
use missive::ports::*;

use super::*;

async fn scheduled_jobs_come_due_and_are_taken_once<S: ScheduleStore + ?Sized>(store: &S) {
    let now = Utc::now();
    let scheduled = |tenant: &str, id: &str, at| ScheduledJob {
        job: Job::new(
            &tid(tenant),
            JobId::parse(id).unwrap(),
            Task::SendEmails(SendEmails { user_id: uid("u1"), digest: false }),
        ),
        due_at: at,
    };
    store.schedule_job(&scheduled("t1", "late", now - Duration::minutes(1))).await.unwrap();
    store.schedule_job(&scheduled("t2", "later", now - Duration::seconds(1))).await.unwrap();
    store.schedule_job(&scheduled("t1", "future", now + Duration::hours(1))).await.unwrap();
    // Rescheduling the same id moves it.
    store.schedule_job(&scheduled("t1", "moved", now + Duration::hours(2))).await.unwrap();
    store.schedule_job(&scheduled("t1", "moved", now - Duration::seconds(30))).await.unwrap();
    let due = store.list_due_jobs(now, 10).await.unwrap();
    assert_eq!(
        due.iter().map(|d| d.job.id.as_str()).collect::<Vec<_>>(),
        ["late", "moved", "later"],
        "every tenant, earliest first"
    );
    assert_eq!(due[2].job.tenant_id, tid("t2"));
    assert!(store.take_scheduled_job(&tid("t1"), &JobId::parse("late").unwrap()).await.unwrap());
    assert!(!store.take_scheduled_job(&tid("t1"), &JobId::parse("late").unwrap()).await.unwrap(), "taken once");
    assert!(!store.take_scheduled_job(&tid("t2"), &JobId::parse("moved").unwrap()).await.unwrap(), "tenants are apart");
    assert!(store.take_scheduled_job(&tid("t1"), &JobId::parse("moved").unwrap()).await.unwrap());
    assert!(store.take_scheduled_job(&tid("t2"), &JobId::parse("later").unwrap()).await.unwrap());
    assert!(store.list_due_jobs(now, 10).await.unwrap().is_empty());
    assert_eq!(store.list_due_jobs(now + Duration::hours(3), 10).await.unwrap().len(), 1);
}

conforms!(scheduled_jobs_come_due_and_are_taken_once);
