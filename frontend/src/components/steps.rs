//! The seven steps from sign-up to the first certificate (SPEC.md §2, the seed's STEP 1–7).

use leptos::prelude::*;

use crate::context::use_i18n;
use crate::i18n::Key;

/// Where the customer stands on one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    Done,
    /// Offered and not done yet: the customer's next move.
    Todo,
    /// Not open yet: an earlier step must be done first (STEP 5–7 need the ACME application).
    Locked,
    /// The top page's overview: no status.
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub number: u8,
    pub title: Key,
    pub description: Key,
    pub status: StepStatus,
    /// Where the step is done in the portal (the title links there).
    pub href: Option<&'static str>,
}

pub const JOURNEY: [(Key, Key); 7] = [
    (Key::Step1, Key::Step1Desc),
    (Key::Step2, Key::Step2Desc),
    (Key::Step3, Key::Step3Desc),
    (Key::Step4, Key::Step4Desc),
    (Key::Step5, Key::Step5Desc),
    (Key::Step6, Key::Step6Desc),
    (Key::Step7, Key::Step7Desc),
];

/// The steps with `status(i)` for the i-th (0-based) one.
pub fn steps(status: impl Fn(usize) -> StepStatus) -> Vec<Step> {
    JOURNEY
        .iter()
        .enumerate()
        .map(|(i, &(title, description))| Step {
            number: u8::try_from(i + 1).unwrap_or(u8::MAX),
            title,
            description,
            status: status(i),
            href: None,
        })
        .collect()
}

#[component]
pub fn StepList(steps: Vec<Step>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ol class="steps" data-testid=testid>
            {steps
                .into_iter()
                .map(|step| {
                    let (class, badge) = match step.status {
                        StepStatus::Done => ("step step-done", Some(Key::StepDone)),
                        StepStatus::Todo => ("step step-todo", Some(Key::StepTodo)),
                        StepStatus::Locked => ("step step-unavailable", Some(Key::StepLocked)),
                        StepStatus::Info => ("step", None),
                    };
                    let state = match step.status {
                        StepStatus::Done => "done",
                        StepStatus::Todo => "todo",
                        StepStatus::Locked => "locked",
                        StepStatus::Info => "info",
                    };
                    let number = step.number.to_string();
                    let title = step.title;
                    let heading = match step.href {
                        Some(href) if step.status != StepStatus::Locked => view! {
                            <a href=href data-testid=format!("step-{}-link", step.number)>{move || i18n.t(title)}</a>
                        }.into_any(),
                        _ => view! { {move || i18n.t(title)} }.into_any(),
                    };
                    view! {
                        <li class=class data-testid=format!("step-{}", step.number) data-state=state>
                            <span class="step-number" aria-hidden="true">{number.clone()}</span>
                            <div class="step-body">
                                <p class="step-label">{move || i18n.tf(Key::StepLabel, &[("n", &number)])}</p>
                                <h3 class="step-title">{heading}</h3>
                                <p class="step-desc">{move || i18n.t(step.description)}</p>
                            </div>
                            {badge.map(|key| view! { <span class="badge">{move || i18n.t(key)}</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_numbered_steps_in_order() {
        let list = steps(|i| {
            if i == 0 {
                StepStatus::Done
            } else {
                StepStatus::Locked
            }
        });
        assert_eq!(list.len(), 7);
        assert_eq!(
            list.iter().map(|s| s.number).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6, 7]
        );
        assert_eq!(list[0].status, StepStatus::Done);
        assert_eq!(list[4].title, Key::Step5);
        assert!(list.iter().all(|s| s.href.is_none()));
    }
}
