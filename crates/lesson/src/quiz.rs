//! Quiz logic: grading a multiple-choice answer, committing a prediction before
//! revealing, and grading an answer the learner found by running something in
//! their own cluster.

use serde::{Deserialize, Serialize};
use sim_core::Simulator;

use crate::checks;
use crate::model::{Quiz, QuizKind};

/// Why an answer could not be graded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum QuizError {
    /// The answer does not fit the quiz (wrong kind, or a choice out of range).
    WrongAnswerKind(String),
    /// A "run something" quiz whose object is not in the cluster yet.
    NotAnswerableYet(String),
}

/// Feedback on a multiple-choice answer: whether it was right, and every choice's
/// explanation (all are shown once the learner has answered).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChoiceFeedback {
    pub correct: bool,
    pub choices: Vec<ChoiceReveal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChoiceReveal {
    pub picked: bool,
    pub correct: bool,
    pub explain: String,
}

/// What a learner's answers were, as saved in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuizAnswer {
    Choice { picked: Vec<usize>, correct: bool },
    Prediction { prediction: String, correct: Option<bool> },
    Run { answer: String, correct: bool },
}

/// Grades a multiple-choice answer: right when exactly the correct choices are picked.
pub fn grade_choice(quiz: &Quiz, picked: &[usize]) -> Result<ChoiceFeedback, QuizError> {
    let QuizKind::Choice { choices } = &quiz.kind else {
        return Err(QuizError::WrongAnswerKind(format!("quiz {} is not multiple choice", quiz.id)));
    };
    if picked.is_empty() {
        return Err(QuizError::WrongAnswerKind("pick at least one choice".to_string()));
    }
    if let Some(bad) = picked.iter().find(|p| **p >= choices.len()) {
        return Err(QuizError::WrongAnswerKind(format!("quiz {} has no choice {bad}", quiz.id)));
    }
    let correct = choices.iter().enumerate().all(|(i, c)| c.correct == picked.contains(&i));
    let choices = choices
        .iter()
        .enumerate()
        .map(|(i, c)| ChoiceReveal { picked: picked.contains(&i), correct: c.correct, explain: c.explain.clone() })
        .collect();
    Ok(ChoiceFeedback { correct, choices })
}

/// What is revealed once a prediction is committed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reveal {
    pub reveal: String,
    /// For predictions among choices: whether the committed one was right.
    pub correct: Option<bool>,
}

/// Commits a prediction and returns the reveal. With choices, the prediction is
/// the index of a choice; without, any non-empty text (the learner's own words).
pub fn reveal(quiz: &Quiz, prediction: &str) -> Result<Reveal, QuizError> {
    let QuizKind::Predict { choices, reveal } = &quiz.kind else {
        return Err(QuizError::WrongAnswerKind(format!("quiz {} is not a prediction", quiz.id)));
    };
    if prediction.trim().is_empty() {
        return Err(QuizError::WrongAnswerKind("commit to a prediction first".to_string()));
    }
    let correct = if choices.is_empty() {
        None
    } else {
        let index: usize = prediction
            .trim()
            .parse()
            .map_err(|_| QuizError::WrongAnswerKind(format!("quiz {} expects a choice number", quiz.id)))?;
        let Some(choice) = choices.get(index) else {
            return Err(QuizError::WrongAnswerKind(format!("quiz {} has no choice {index}", quiz.id)));
        };
        Some(choice.correct)
    };
    Ok(Reveal { reveal: reveal.clone(), correct })
}

/// Feedback on an answer found by running something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunFeedback {
    pub correct: bool,
    /// The value in the learner's cluster right now.
    pub expected: String,
    pub explain: String,
}

/// Grades a typed answer against the learner's own cluster.
pub fn grade_run(quiz: &Quiz, sim: &Simulator, answer: &str) -> Result<RunFeedback, QuizError> {
    let QuizKind::Run { answer: object, path, explain } = &quiz.kind else {
        return Err(QuizError::WrongAnswerKind(format!("quiz {} is not answered by running something", quiz.id)));
    };
    let expected = checks::read_jsonpath(sim, object, path).map_err(QuizError::NotAnswerableYet)?;
    if expected.is_empty() {
        return Err(QuizError::NotAnswerableYet(format!("{path} of {}/{} is empty", object.resource, object.name)));
    }
    let correct = normalize(answer) == normalize(&expected);
    Ok(RunFeedback { correct, expected, explain: explain.clone() })
}

/// Answers compare without surrounding space, quotes or case ("NodePort" = "nodeport").
fn normalize(s: &str) -> String {
    s.trim().trim_matches(['"', '\'']).trim().to_lowercase()
}
