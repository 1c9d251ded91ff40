//! What the provisioner and KEDA read and write, straight against the store
//! on SQLite and PostgreSQL: the demand per capability follows jobs as they
//! are queued, claimed, handed back and finished, and the query a KEDA
//! `ScaledObject` runs gives the same; one lease holder at a time; the CPU
//! fallback makes waiting jobs claimable by any worker.

use aima_core::StageSpec;
use aima_store::{
    AutoscaleRepo, ClaimScope, Demand, FailureKind, Fenced, JobRepo, NewJob, SqlStore,
};

mod common;
use common::{media, stores_and_urls};

/// The query of the chart's KEDA `ScaledObject` (deploy/helm), as KEDA's
/// PostgreSQL scaler runs it: one number, the jobs waiting for or running
/// on a GPU.
const KEDA_QUERY: &str =
    "SELECT COALESCE((SELECT queued + running FROM aima_capability_demand WHERE capability = 'gpu'), 0)";

async fn gpu_job(store: &SqlStore, media_id: &str, stages: &[(&str, Option<&str>)]) -> String {
    store
        .create_job(NewJob {
            workspace: "w".into(),
            media_id: Some(media_id.into()),
            pipeline: stages
                .iter()
                .map(|(name, requires)| StageSpec {
                    requires: requires.map(String::from),
                    ..StageSpec::new(*name)
                })
                .collect(),
            max_attempts: 3,
        })
        .await
        .expect("job")
        .id
}

async fn keda(url: &str) -> i64 {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.expect("connect");
    let n: i64 = sqlx::query_scalar(KEDA_QUERY)
        .fetch_one(&mut conn)
        .await
        .expect("the KEDA query");
    n
}

fn scope(caps: &[&str]) -> ClaimScope {
    ClaimScope {
        capabilities: caps.iter().map(|c| c.to_string()).collect(),
        ..ClaimScope::default()
    }
}

#[tokio::test]
async fn the_demand_follows_the_queue_and_the_keda_query_agrees() {
    for (store, _dir, url) in stores_and_urls().await {
        let d = store.dialect();
        let m = media(&store, 1).await;
        assert_eq!(
            store.capability_demand("gpu").await.expect("demand"),
            Demand::default()
        );
        assert_eq!(keda(&url).await, 0, "{d:?}");
        let a = gpu_job(&store, &m, &[("probe", Some("gpu"))]).await;
        let b = gpu_job(&store, &m, &[("probe", Some("gpu"))]).await;
        let cpu_first = gpu_job(&store, &m, &[("probe", None), ("keyframes", Some("gpu"))]).await;
        let demand = store.capability_demand("gpu").await.expect("demand");
        assert_eq!((demand.queued, demand.running), (2, 0), "{d:?}");
        assert!(demand
            .oldest_queued_at
            .is_some_and(|t| t <= aima_store::now_ms()));
        assert_eq!(keda(&url).await, 2, "{d:?}");

        // A GPU worker takes one: running, not waiting.
        let lease = store
            .claim_job_scoped("gpu-1", 60_000, &scope(&["gpu"]))
            .await
            .expect("claim")
            .expect("a gpu job");
        assert_eq!(lease.job.id, a, "the oldest");
        let demand = store.capability_demand("gpu").await.expect("demand");
        assert_eq!((demand.queued, demand.running), (1, 1), "{d:?}");
        assert_eq!(keda(&url).await, 2, "{d:?}");

        // A CPU worker runs the first stage of the mixed job and hands it
        // back for its GPU stage: now it waits for a GPU too.
        let cpu = store
            .claim_job_scoped("cpu-1", 60_000, &scope(&[]))
            .await
            .expect("claim")
            .expect("the cpu job");
        assert_eq!(cpu.job.id, cpu_first);
        let mut stages = cpu.job.stages.clone();
        stages[0].state = aima_core::StageState::Done;
        assert_eq!(
            store
                .finish_stage(&cpu.job.id, &cpu.token, "probe", &stages)
                .await
                .expect("stage"),
            Fenced::Ok
        );
        assert_eq!(
            store
                .release_job(&cpu.job.id, &cpu.token)
                .await
                .expect("release"),
            Fenced::Ok
        );
        let demand = store.capability_demand("gpu").await.expect("demand");
        assert_eq!((demand.queued, demand.running), (2, 1), "{d:?}");
        assert_eq!(keda(&url).await, 3, "{d:?}");

        // Finished and failed jobs are no demand.
        assert_eq!(
            store
                .complete_job(&lease.job.id, &lease.token, &lease.job.stages)
                .await
                .expect("complete"),
            Fenced::Ok
        );
        let next = store
            .claim_job_scoped("gpu-1", 60_000, &scope(&["gpu"]))
            .await
            .expect("claim")
            .expect("a gpu job");
        assert_eq!(next.job.id, b);
        let err = aima_core::ErrorInfo::new(aima_core::ErrorCode::CorruptMedia, "bad");
        assert_eq!(
            store
                .fail_job(
                    &next.job.id,
                    &next.token,
                    FailureKind::Abort,
                    &err,
                    &next.job.stages
                )
                .await
                .expect("fail"),
            Fenced::Ok
        );
        let demand = store.capability_demand("gpu").await.expect("demand");
        assert_eq!((demand.queued, demand.running), (1, 0), "{d:?}");
        assert_eq!(keda(&url).await, 1, "{d:?}");
        assert_eq!(
            store.capability_demand("big").await.expect("demand"),
            Demand::default()
        );
    }
}

#[tokio::test]
async fn one_server_holds_the_lease_until_it_lets_go_or_it_expires() {
    for (store, _dir, _) in stores_and_urls().await {
        assert!(store
            .hold_lease("autoscale", "a", 60_000)
            .await
            .expect("lease"));
        assert!(!store
            .hold_lease("autoscale", "b", 60_000)
            .await
            .expect("lease"));
        assert!(store
            .hold_lease("autoscale", "a", 60_000)
            .await
            .expect("renewed"));
        store
            .drop_lease("autoscale", "b")
            .await
            .expect("not b's to drop");
        assert!(!store
            .hold_lease("autoscale", "b", 60_000)
            .await
            .expect("lease"));
        store.drop_lease("autoscale", "a").await.expect("drop");
        assert!(store.hold_lease("autoscale", "b", 1).await.expect("free"));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(store
            .hold_lease("autoscale", "a", 60_000)
            .await
            .expect("expired"));
        // Racing for it: exactly one wins.
        store.drop_lease("autoscale", "a").await.expect("drop");
        let (x, y) = tokio::join!(
            store.hold_lease("autoscale", "x", 60_000),
            store.hold_lease("autoscale", "y", 60_000)
        );
        assert_eq!(
            [x.expect("x"), y.expect("y")]
                .iter()
                .filter(|w| **w)
                .count(),
            1,
            "{:?}",
            store.dialect()
        );
    }
}

#[tokio::test]
async fn the_cpu_fallback_lets_any_worker_run_waiting_jobs() {
    for (store, _dir, _) in stores_and_urls().await {
        let m = media(&store, 2).await;
        let id = gpu_job(
            &store,
            &m,
            &[("probe", Some("gpu")), ("keyframes", Some("big"))],
        )
        .await;
        assert!(store
            .claim_job_scoped("cpu", 60_000, &scope(&[]))
            .await
            .expect("claim")
            .is_none());
        assert_eq!(store.drop_requirement("gpu").await.expect("fallback"), 1);
        let lease = store
            .claim_job_scoped("cpu", 60_000, &scope(&[]))
            .await
            .expect("claim")
            .expect("claimable now");
        assert_eq!(lease.job.id, id);
        assert_eq!(lease.job.stages[0].requires, None);
        // Only that capability's requirement goes.
        assert_eq!(lease.job.stages[1].requires.as_deref(), Some("big"));
        assert_eq!(
            store.drop_requirement("gpu").await.expect("nothing left"),
            0
        );
    }
}

/// Busy time per period, summed by the database: a lease across a month's
/// end counts in each month for its part, per workspace and capability,
/// and a lease's end writes its span.
#[tokio::test]
async fn busy_time_is_split_at_a_periods_end_and_summed_per_workspace() {
    use aima_store::{BillingRepo, BusyTotal};
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    const H: i64 = 3_600_000;
    // 2026-12-01T00:00:00Z, and the months around it.
    let dec = 1_796_083_200_000_i64;
    let (nov, jan) = (dec - 30 * 24 * H, dec + 31 * 24 * H);
    for (store, _dir, url) in stores_and_urls().await {
        let mut conn = sqlx::AnyConnection::connect(&url).await.expect("connect");
        for (id, ws, cap, from, to) in [
            ("across", "a", "gpu", dec - H, dec + H),
            ("half", "b", "gpu", dec + 10 * H, dec + 10 * H + H / 2),
            ("cpu", "a", "cpu", dec + 2 * H, dec + 7 * H),
            ("next", "a", "gpu", jan + H, jan + 2 * H),
        ] {
            sqlx::query("INSERT INTO usage_spans (id, workspace_id, worker, capability, started_at, ended_at) VALUES ($1, $2, 'w1', $3, $4, $5)")
                .bind(id)
                .bind(ws)
                .bind(cap)
                .bind(from)
                .bind(to)
                .execute(&mut conn)
                .await
                .expect("span");
        }
        let t = |ws: &str, cap: &str, s: f64| BusyTotal {
            workspace: ws.into(),
            capability: cap.into(),
            seconds: s,
        };
        assert_eq!(
            store.busy_totals(None, dec, jan).await.expect("december"),
            [
                t("a", "cpu", 18_000.0),
                t("a", "gpu", 3_600.0),
                t("b", "gpu", 1_800.0)
            ],
            "{:?}",
            store.dialect()
        );
        assert_eq!(
            store.busy_totals(None, nov, dec).await.expect("november"),
            [t("a", "gpu", 3_600.0)]
        );
        assert_eq!(
            store
                .busy_totals(Some("b"), dec, jan)
                .await
                .expect("b's december"),
            [t("b", "gpu", 1_800.0)]
        );

        // A real lease's end writes its span, under the worker's capability.
        let m = media(&store, 3).await;
        gpu_job(&store, &m, &[("probe", Some("gpu"))]).await;
        let lease = store
            .claim_job_scoped("gpu-1", 60_000, &scope(&["gpu"]))
            .await
            .expect("claim")
            .expect("the job");
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        store
            .complete_job(&lease.job.id, &lease.token, &lease.job.stages)
            .await
            .expect("complete");
        let now = aima_store::now_ms();
        let w = store
            .busy_totals(Some("w"), now - H, now + H)
            .await
            .expect("w");
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].capability, "gpu");
        assert!(w[0].seconds >= 0.03 && w[0].seconds < 60.0, "{w:?}");
    }
}
