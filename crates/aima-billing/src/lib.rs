//! Budgets in money (`[billing]`): workers' busy time priced per hour of
//! their capability, counted per calendar month and day in a configured time
//! zone, for the server and per workspace, with a forecast for the month at
//! the current rate.
//!
//! The [`Monitor`] every `aima serve` with a budget runs looks at the month
//! and the day so far: at 80 % it sends `budget.warning`, at 100 %
//! `budget.exhausted` (each once per period, whichever server sees it
//! first: the store's `budget_alerts` key), and blocks every priced
//! capability until the period ends, so that no job needing one is
//! dispatched and no worker with one is started. A lease that crossed
//! midnight or a month's end counts in each period for the part it spent
//! there.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use aima_store::{BusyTotal, Store, StoreError};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

/// The share of a budget at which `budget.warning` is sent.
pub const WARNING_AT: f64 = 0.8;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BillingConfig {
    /// ISO 4217 code of the prices and budgets, e.g. `EUR`.
    pub currency: String,
    /// Price of an hour of busy time per capability, e.g. `{ gpu = 0.40 }`;
    /// capabilities without a price cost nothing (`cpu`: workers without a
    /// capability).
    pub price_per_hour: BTreeMap<String, f64>,
    /// The most the server may spend in a calendar month (0: no limit).
    pub monthly_budget: f64,
    /// The most in a calendar day (0: no limit).
    pub daily_budget: f64,
    /// Where months and days begin, an IANA name such as `Europe/Berlin`.
    pub time_zone: String,
    /// How often the monitor looks at the spending, in milliseconds.
    pub interval_ms: u64,
}

impl Default for BillingConfig {
    fn default() -> Self {
        Self {
            currency: "EUR".into(),
            price_per_hour: BTreeMap::new(),
            monthly_budget: 0.0,
            daily_budget: 0.0,
            time_zone: "UTC".into(),
            interval_ms: 5_000,
        }
    }
}

impl BillingConfig {
    /// Whether costs are counted at all (some capability has a price).
    pub fn enabled(&self) -> bool {
        !self.price_per_hour.is_empty()
    }

    pub fn validate(&self) -> Result<(), String> {
        let c = &self.currency;
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "billing.currency {c:?} must be a three-letter code such as EUR or USD"
            ));
        }
        for (cap, price) in &self.price_per_hour {
            if !(price.is_finite() && *price > 0.0 && *price <= 1_000_000.0) {
                return Err(format!(
                    "billing.price_per_hour.{cap} = {price}: a price is above 0 and at most 1000000 \
                     (leave a capability out for no cost)"
                ));
            }
        }
        for (name, v) in [
            ("monthly_budget", self.monthly_budget),
            ("daily_budget", self.daily_budget),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!(
                    "billing.{name} = {v}: a budget is 0 (none) or more"
                ));
            }
            if v > 0.0 && !self.enabled() {
                return Err(format!(
                    "billing.{name} is set but no capability has a price (billing.price_per_hour)"
                ));
            }
        }
        TimeZone::get(&self.time_zone).map_err(|e| {
            format!(
                "billing.time_zone {:?} is not a time zone: {e}",
                self.time_zone
            )
        })?;
        if !(100..=3_600_000).contains(&self.interval_ms) {
            return Err("billing.interval_ms must be 100 to 3600000".into());
        }
        Ok(())
    }
}

/// A calendar month or day in the configured time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// `2026-12` or `2026-12-07`.
    pub name: String,
    /// Unix milliseconds, inclusive and exclusive.
    pub from: i64,
    pub until: i64,
}

/// What one capability cost in a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    pub hours: f64,
    pub cost: f64,
}

/// What a period cost, in total, per workspace, per capability, and per
/// workspace and capability.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Costs {
    pub total: f64,
    pub by_workspace: BTreeMap<String, f64>,
    pub by_capability: BTreeMap<String, Line>,
    pub lines: BTreeMap<(String, String), Line>,
}

/// Prices and the calendar: what turns spans into money.
#[derive(Debug, Clone)]
pub struct Billing {
    pub config: BillingConfig,
    tz: TimeZone,
}

impl Billing {
    pub fn new(config: BillingConfig) -> Result<Self, String> {
        config.validate()?;
        let tz = TimeZone::get(&config.time_zone).map_err(|e| e.to_string())?;
        Ok(Self { config, tz })
    }

    fn zoned(&self, ms: i64) -> Zoned {
        Timestamp::from_millisecond(ms)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned(self.tz.clone())
    }

    fn ms(z: &Zoned) -> i64 {
        z.timestamp().as_millisecond()
    }

    /// The month that holds `at` (Unix milliseconds).
    pub fn month_of(&self, at: i64) -> Period {
        let d = self.zoned(at).date().first_of_month();
        self.month_from(d)
    }

    fn month_from(&self, first: Date) -> Period {
        let start = first
            .to_zoned(self.tz.clone())
            .unwrap_or_else(|_| self.zoned(0));
        let end = start
            .checked_add(1.month())
            .unwrap_or_else(|_| start.clone());
        Period {
            name: format!("{:04}-{:02}", first.year(), first.month()),
            from: Self::ms(&start),
            until: Self::ms(&end),
        }
    }

    /// The month named `2026-12`.
    pub fn month_named(&self, name: &str) -> Option<Period> {
        let (y, m) = name.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let date = Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok()?;
        Some(self.month_from(date))
    }

    /// The day that holds `at`.
    pub fn day_of(&self, at: i64) -> Period {
        let d = self.zoned(at).date();
        let start = d
            .to_zoned(self.tz.clone())
            .unwrap_or_else(|_| self.zoned(at));
        let end = start.checked_add(1.day()).unwrap_or_else(|_| start.clone());
        Period {
            name: format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            from: Self::ms(&start),
            until: Self::ms(&end),
        }
    }

    /// What busy time cost: each total priced by its capability's hour
    /// (capabilities without a price cost nothing).
    pub fn cost(&self, totals: &[BusyTotal]) -> Costs {
        let mut c = Costs::default();
        for b in totals {
            let Some(price) = self.config.price_per_hour.get(&b.capability) else {
                continue;
            };
            if b.seconds <= 0.0 {
                continue;
            }
            let hours = b.seconds / 3600.0;
            let cost = hours * price;
            c.total += cost;
            *c.by_workspace.entry(b.workspace.clone()).or_default() += cost;
            let line = c.by_capability.entry(b.capability.clone()).or_default();
            line.hours += hours;
            line.cost += cost;
            let line = c
                .lines
                .entry((b.workspace.clone(), b.capability.clone()))
                .or_default();
            line.hours += hours;
            line.cost += cost;
        }
        c
    }

    /// The month's cost at its end if spending goes on at the rate so far
    /// (a past month: what it cost; a month not begun: 0).
    pub fn forecast(cost: f64, period: &Period, now: i64) -> f64 {
        if now >= period.until {
            return cost;
        }
        let elapsed = now - period.from;
        if elapsed <= 0 {
            return 0.0;
        }
        cost * (period.until - period.from) as f64 / elapsed as f64
    }

    /// Money rounded to cents (thousandths for small prices) for display.
    pub fn round(v: f64) -> f64 {
        (v * 10_000.0).round() / 10_000.0
    }
}

/// Sends the alerts and keeps the blocks of spent budgets.
pub struct Monitor {
    store: Arc<dyn Store>,
    billing: Billing,
    /// Workspaces told (`server.admin_workspaces`).
    notify: Vec<String>,
}

impl Monitor {
    pub fn new(store: Arc<dyn Store>, billing: Billing, notify: Vec<String>) -> Self {
        Self {
            store,
            billing,
            notify,
        }
    }

    pub async fn run(self, shutdown: CancellationToken) {
        let interval = Duration::from_millis(self.billing.config.interval_ms);
        loop {
            if let Err(e) = self.turn(aima_store::now_ms()).await {
                tracing::warn!(error = %e, "billing: a check failed; trying again");
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(interval) => {}
            }
        }
    }

    /// One look at the month and the day that hold `now`.
    pub async fn turn(&self, now: i64) -> Result<(), StoreError> {
        let cfg = &self.billing.config;
        let month = self.billing.month_of(now);
        let day = self.billing.day_of(now);
        let mut blocked = false;
        for (scope, period, budget) in [
            ("month", &month, cfg.monthly_budget),
            ("day", &day, cfg.daily_budget),
        ] {
            if budget <= 0.0 {
                continue;
            }
            let totals = self
                .store
                .busy_totals(None, period.from, period.until)
                .await?;
            let cost = self.billing.cost(&totals).total;
            let share = cost / budget;
            let data = serde_json::json!({
                "resource": {"type": "budget", "id": period.name},
                "budget": {
                    "scope": scope,
                    "period": period.name,
                    "cost": Billing::round(cost),
                    "budget": budget,
                    "currency": cfg.currency,
                    "percent": Billing::round(share * 100.0),
                },
            });
            if share >= WARNING_AT
                && self
                    .store
                    .raise_budget_alert(
                        &period.name,
                        "warning",
                        "budget.warning",
                        &self.notify,
                        data.clone(),
                    )
                    .await?
            {
                tracing::warn!(period = %period.name, cost, budget, "billing: 80 % of the budget spent");
            }
            if share >= 1.0 {
                blocked = true;
                let reason = format!(
                    "the {scope}'s budget of {budget:.2} {} is spent ({cost:.2} {} by {})",
                    cfg.currency, cfg.currency, period.name
                );
                for capability in cfg.price_per_hour.keys() {
                    self.store
                        .block_capability(capability, period.until, &reason)
                        .await?;
                }
                if self
                    .store
                    .raise_budget_alert(
                        &period.name,
                        "exhausted",
                        "budget.exhausted",
                        &self.notify,
                        data,
                    )
                    .await?
                {
                    tracing::warn!(period = %period.name, cost, budget, "billing: the budget is spent; no more work for priced capabilities until the period ends");
                }
            }
        }
        if !blocked {
            // A budget raised (or a period begun) lifts the blocks at once.
            if !self.store.blocked_capabilities().await?.is_empty() {
                self.store.clear_capability_blocks().await?;
                tracing::info!("billing: within budget again; dispatching resumes");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn billing(tz: &str) -> Billing {
        let mut prices = BTreeMap::new();
        prices.insert("gpu".to_string(), 0.40);
        Billing::new(BillingConfig {
            price_per_hour: prices,
            time_zone: tz.into(),
            monthly_budget: 10.0,
            ..BillingConfig::default()
        })
        .expect("config")
    }

    fn ms(rfc3339: &str) -> i64 {
        rfc3339
            .parse::<Timestamp>()
            .expect("timestamp")
            .as_millisecond()
    }

    fn total(cap: &str, ws: &str, seconds: f64) -> BusyTotal {
        BusyTotal {
            workspace: ws.into(),
            capability: cap.into(),
            seconds,
        }
    }

    #[test]
    fn months_and_days_begin_in_the_time_zone() {
        let b = billing("Europe/Berlin");
        // 23:30 UTC on 30 November is already December in Berlin.
        let m = b.month_of(ms("2026-11-30T23:30:00Z"));
        assert_eq!(m.name, "2026-12");
        assert_eq!(m.from, ms("2026-11-30T23:00:00Z"));
        assert_eq!(m.until, ms("2026-12-31T23:00:00Z"));
        let d = b.day_of(ms("2026-12-07T23:30:00Z"));
        assert_eq!(d.name, "2026-12-08");
        // A day with the switch to summer time has 23 hours.
        let d = b.day_of(ms("2027-03-28T12:00:00Z"));
        assert_eq!(d.until - d.from, 23 * 3_600_000);
        assert_eq!(b.month_named("2026-12"), Some(m));
        assert_eq!(b.month_named("2026-13"), None);
        assert_eq!(b.month_named("26-1"), None);
    }

    #[test]
    fn busy_time_is_priced_by_capability_and_summed_per_workspace() {
        let b = billing("UTC");
        let totals = [
            total("gpu", "a", 3600.0),
            total("gpu", "b", 1800.0),
            total("cpu", "a", 18_000.0),
        ];
        let c = b.cost(&totals);
        assert!((c.total - 0.60).abs() < 1e-9, "{c:?}");
        assert!((c.by_workspace["a"] - 0.40).abs() < 1e-9);
        assert!((c.by_workspace["b"] - 0.20).abs() < 1e-9);
        assert!(!c.by_capability.contains_key("cpu"), "no price, no cost");
        assert!((c.by_capability["gpu"].hours - 1.5).abs() < 1e-9);
    }

    #[test]
    fn the_forecast_extends_the_rate_so_far() {
        let b = billing("UTC");
        let m = b.month_named("2026-12").expect("dec");
        // A quarter of 31 days in: four times as much.
        let quarter = m.from + (m.until - m.from) / 4;
        assert!((Billing::forecast(2.5, &m, quarter) - 10.0).abs() < 1e-6);
        assert_eq!(Billing::forecast(2.5, &m, m.until + 1), 2.5);
        assert_eq!(Billing::forecast(0.0, &m, m.from - 1), 0.0);
    }

    #[test]
    fn bad_configurations_are_refused() {
        let mut c = BillingConfig::default();
        c.price_per_hour.insert("gpu".into(), 0.0);
        assert!(c.validate().is_err(), "a zero price");
        c.price_per_hour.insert("gpu".into(), -1.0);
        assert!(c.validate().is_err(), "a negative price");
        c.price_per_hour.insert("gpu".into(), f64::NAN);
        assert!(c.validate().is_err());
        c.price_per_hour.insert("gpu".into(), 0.4);
        assert_eq!(c.validate(), Ok(()));
        c.time_zone = "Mars/Olympus".into();
        assert!(c.validate().is_err());
        c.time_zone = "UTC".into();
        c.monthly_budget = -5.0;
        assert!(c.validate().is_err());
        c.monthly_budget = 10.0;
        c.currency = "euro".into();
        assert!(c.validate().is_err());
        let mut c = BillingConfig {
            monthly_budget: 10.0,
            ..BillingConfig::default()
        };
        assert!(c.validate().is_err(), "a budget without prices");
        c.price_per_hour.insert("gpu".into(), 0.4);
        assert_eq!(c.validate(), Ok(()));
    }
}
