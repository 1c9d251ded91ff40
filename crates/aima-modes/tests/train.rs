//! Training on the generated dataset (see `aima_modes::synth`): the model
//! must beat the majority baseline under cross-validation, survive a round
//! trip through its stored form, and predict held-out days well.

use aima_core::StoredEvent;
use aima_modes::{activities, synth, train, Algorithm, ModeModel, TrainOptions};

// 2026-11-02 00:00 UTC, a Monday.
const MONDAY: i64 = 1_793_577_600_000;

fn stored(ds: &synth::Dataset) -> Vec<StoredEvent> {
    ds.samples
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let e = s
                .record
                .clone()
                .into_event(i64::MAX / 4)
                .expect("valid record");
            StoredEvent {
                id: i as i64,
                bucket: "aima-log_synth".into(),
                timestamp: e.timestamp,
                duration: e.duration,
                data: e.data,
                mode: None,
            }
        })
        .collect()
}

#[test]
fn beats_the_baseline_and_predicts_unseen_days() {
    let ds = synth::generate(MONDAY, 28, 300, 7);
    let events = stored(&ds);
    let acts = activities(&events);
    // Three weeks to train on, the fourth to test.
    let cut = MONDAY + 21 * 86_400_000;
    let train_idx: Vec<usize> = (0..acts.len())
        .filter(|&i| events[i].timestamp < cut)
        .collect();
    let test_idx: Vec<usize> = (0..acts.len())
        .filter(|&i| events[i].timestamp >= cut)
        .collect();
    let train_acts: Vec<_> = train_idx.iter().map(|&i| acts[i].clone()).collect();
    let labels: Vec<String> = train_idx
        .iter()
        .map(|&i| ds.samples[i].mode.to_string())
        .collect();

    let started = std::time::Instant::now();
    let (model, report) =
        train(&train_acts, &labels, &TrainOptions::default(), &mut |_| {}).expect("trains");
    eprintln!(
        "{} samples, trained in {:?}; baseline macro-F1 {:.3}; {}",
        report.samples,
        started.elapsed(),
        report.baseline.macro_f1,
        report
            .candidates
            .iter()
            .map(|e| format!(
                "{}: acc {:.3} F1 {:.3}",
                e.algorithm.as_str(),
                e.accuracy,
                e.macro_f1
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert_eq!(report.classes, vec!["Meeting", "Relax", "Work"]);
    assert!(report.beats_baseline);
    assert_ne!(report.chosen, Algorithm::Majority);
    let chosen = report.chosen_evaluation().expect("chosen is a candidate");
    // The baseline's macro-F1 on three modes is at most 1/3 * (F1 of one class).
    assert!(report.baseline.macro_f1 < 0.35, "{:?}", report.baseline);
    assert!(chosen.macro_f1 > 0.75, "{chosen:?}");
    assert_eq!(
        chosen.confusion.iter().flatten().sum::<usize>(),
        report.samples,
        "every sample is predicted once out of fold"
    );

    let json = model.to_json().expect("serializes");
    eprintln!("stored model: {} KiB", json.len() / 1024);
    let model = ModeModel::from_json(&json).expect("reads back");
    let test_acts: Vec<_> = test_idx.iter().map(|&i| acts[i].clone()).collect();
    let preds = model.predict(&test_acts).expect("predicts");
    let right = preds
        .iter()
        .zip(&test_idx)
        .filter(|(p, &i)| p.mode == ds.samples[i].mode)
        .count();
    let accuracy = right as f64 / preds.len() as f64;
    eprintln!(
        "held-out week: accuracy {accuracy:.3} on {} samples",
        preds.len()
    );
    assert!(accuracy > 0.75, "held-out accuracy {accuracy}");
    assert!(preds.iter().all(|p| (0.0..=1.0).contains(&p.confidence)));
}

#[test]
fn too_little_to_learn_is_said() {
    let ds = synth::generate(MONDAY, 1, 300, 1);
    let events = stored(&ds);
    let acts = activities(&events);
    let one: Vec<String> = acts.iter().map(|_| "Work".to_string()).collect();
    let err = train(&acts, &one, &TrainOptions::default(), &mut |_| {}).expect_err("one class");
    assert!(err.to_string().contains("at least two modes"), "{err}");
    let mut two = one.clone();
    two[0] = "Relax".into();
    let err = train(&acts, &two, &TrainOptions::default(), &mut |_| {}).expect_err("one Relax");
    assert!(
        err.to_string().contains("\"Relax\" has 1 labelled events"),
        "{err}"
    );
    let err = train(&[], &[], &TrainOptions::default(), &mut |_| {}).expect_err("nothing");
    assert!(err.to_string().contains("no labelled activity"), "{err}");
}
