//! The parsed lesson: front matter, steps and the blocks inside them. Plain data,
//! serializable, so the web app can render it and tests can compare it.

use serde::{Deserialize, Serialize};

/// One lesson, parsed from one markdown file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lesson {
    /// Where the lesson came from (for error messages); not part of the format.
    pub file: String,
    pub meta: Meta,
    /// Prose before the first `##` heading: the lesson's introduction.
    pub intro: Vec<Block>,
    pub steps: Vec<Step>,
}

/// The YAML front matter between the leading `---` lines.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// Position in the course; lessons are listed by `order`, then `id`.
    #[serde(default)]
    pub order: u32,
    /// Estimated minutes a learner needs.
    #[serde(default)]
    pub minutes: u32,
    /// Ids of lessons to take first.
    #[serde(default)]
    pub prerequisites: Vec<String>,
    #[serde(default)]
    pub cluster: ClusterSetup,
    /// Files placed in the learner's home before the lesson starts.
    #[serde(default)]
    pub files: Vec<FileSpec>,
}

/// The cluster a lesson starts from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSetup {
    /// Worker nodes besides the control plane (kind-worker, kind-worker2, ...).
    #[serde(default = "default_workers")]
    pub workers: usize,
    /// Seed of the simulator's one random generator.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Whether a cloud provider answers LoadBalancer Services from the start.
    #[serde(default)]
    pub cloud_provider: bool,
    /// Container images the simulated registry should know besides the usual ones.
    #[serde(default)]
    pub images: Vec<String>,
    /// What exists before the learner types anything, applied in order through the
    /// simulator's own commands.
    #[serde(default)]
    pub objects: Vec<SetupObject>,
}

fn default_workers() -> usize {
    2
}

fn default_seed() -> u64 {
    1
}

impl Default for ClusterSetup {
    fn default() -> Self {
        ClusterSetup { workers: 2, seed: 1, cloud_provider: false, images: Vec::new(), objects: Vec::new() }
    }
}

/// One pre-created object: an inline manifest (applied with `kubectl apply -f -`)
/// or a command line. Written `- manifest: |` or `- command: ...`; exactly one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupObject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

/// A file for the learner's home directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// Relative to the home directory, or absolute.
    pub path: String,
    pub content: String,
}

/// A `##` section of the lesson.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    pub title: String,
    /// 1-based line of the heading in the file.
    pub line: usize,
    pub blocks: Vec<Block>,
    /// Checks gathered from every `check` block of the step, in order.
    pub checks: Vec<Check>,
}

/// A source position, 1-based, for messages about a block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// What a step is made of, in document order.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Prose rendered to HTML; raw HTML in the source is escaped, unsafe link
    /// schemes are dropped, so a lesson cannot run script.
    Prose { html: String },
    /// Commands for the terminal. `run` blocks get a Run button (and are the
    /// reference solution); `copy` blocks only a copy button. `solution` blocks
    /// (a challenge's answer) are hidden behind "show solution" in the browser
    /// but run by the checker like any other.
    Commands { pos: Pos, inputs: Vec<String>, run: bool, copy: bool, solution: bool },
    /// A file the learner can create with one click (or open in the editor).
    File { pos: Pos, path: String, language: String, content: String },
    /// A terminal transcript: each command and exactly what kubesim prints.
    Console { pos: Pos, entries: Vec<ConsoleEntry> },
    /// Code shown as is (not runnable).
    Code { language: String, text: String },
    /// A quiz; `id` is unique in the lesson.
    Quiz { pos: Pos, quiz: Quiz },
    /// A visualizer scene the web app renders; the engine only parses it.
    Visualizer { pos: Pos, scene: Scene },
    /// The traffic-flow visualizer (a ```` ```kubesim-viz ```` block): the learner's
    /// live cluster and each request they make, animated hop by hop.
    TrafficFlow { pos: Pos, viz: TrafficFlow },
    /// Something the lesson does to the environment at this point (a button in
    /// the browser), e.g. switching the simulated cloud provider on.
    Action { pos: Pos, action: Action },
    /// Where a `check` block stood: `count` checks of the step's `checks` from
    /// `first`. The browser may show their state here; the reference-solution
    /// checker waits here until they pass, as a learner waits for green before
    /// reading on.
    Checks { pos: Pos, first: usize, count: usize },
}

/// One `$ command` of a console block and the display expected after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsoleEntry {
    pub input: String,
    pub expected: String,
    /// Line of the `$` in the lesson file.
    pub line: usize,
}

/// A declarative check of the learner's cluster, files or terminal.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    pub kind: CheckKind,
    /// Shown when the check fails. Plain text, like every text of a check or
    /// quiz: the browser escapes it.
    pub hint: String,
    pub pos: Pos,
}

/// What a check looks at.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CheckKind {
    /// The object exists (`service/web`, in `namespace`, default `default`).
    Exists { object: ObjectRef },
    /// The object does not exist.
    Absent { object: ObjectRef },
    /// A JSONPath into the object equals a string, or matches a pattern.
    JsonPath { object: ObjectRef, path: String, expect: Expect },
    /// At least (or exactly) `count` Ready pods match the label selector.
    ReadyPods { selector: String, namespace: String, count: usize, exactly: bool },
    /// A file in the learner's filesystem contains a text.
    FileContains { path: String, text: String },
    /// The output of the learner's last command contains a text.
    OutputContains { text: String },
    /// A `curl` of `url` from `from` succeeds (exit code 0), and its output
    /// contains `expect` when given. `host` sets the Host header (for Ingress rules).
    Curl { url: String, from: Place, host: Option<String>, expect: Option<String> },
}

/// Where a check's curl runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum Place {
    /// The learner's machine: outside the cluster, on the same network as the nodes
    /// (kind's docker network).
    Host,
    /// Inside a pod (as `kubectl exec POD -- curl`).
    Pod(String),
}

/// How a JSONPath result is compared.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Expect {
    Equals(String),
    /// A pattern where `*` stands for any run of characters (a glob).
    Matches(String),
    /// Any non-empty value.
    NonEmpty,
}

/// `kind/name` in a namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    /// As written (`service`, `svc`, `deploy`), resolved like kubectl does.
    pub resource: String,
    pub name: String,
    pub namespace: String,
}

/// A quiz.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Quiz {
    pub id: String,
    pub question: String,
    pub kind: QuizKind,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuizKind {
    /// Multiple choice; every choice explains itself once answered.
    Choice { choices: Vec<Choice> },
    /// Predict, then reveal: the learner commits a prediction (one of `choices`,
    /// or free text when there are none) before `reveal` is shown.
    Predict { choices: Vec<Choice>, reveal: String },
    /// Answered by running something: the right answer is read from the
    /// learner's own cluster when they answer.
    Run { answer: ObjectRef, path: String, explain: String },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Choice {
    pub text: String,
    pub correct: bool,
    pub explain: String,
}

/// A visualizer scene: a name the web app knows and its parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scene {
    pub scene: String,
    pub title: String,
    /// Everything else in the block, passed to the web app untouched.
    pub params: serde_json::Value,
}

/// Options of a `kubesim-viz` block (lessons/README.md); all optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficFlow {
    /// A caption above the diagram.
    #[serde(default)]
    pub title: String,
    /// The Service to focus (`name` in the default namespace, or `namespace/name`):
    /// only it is drawn in the Services row and its endpoints are highlighted.
    #[serde(default)]
    pub service: Option<String>,
    /// Show each request side by side under `externalTrafficPolicy: Cluster` and
    /// `Local` (the second traced on a copy of the cluster with the policy flipped).
    #[serde(default)]
    pub compare_policies: bool,
    /// "Predict the path": before a new request plays, ask where it will end.
    #[serde(default)]
    pub predict: bool,
}

/// Actions a lesson may take on the environment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Switch the simulated cloud provider on or off.
    CloudProvider { enabled: bool },
}

impl Lesson {
    /// Every quiz of the lesson with the index of its step (None for the intro).
    pub fn quizzes(&self) -> impl Iterator<Item = (Option<usize>, &Quiz)> {
        let intro = self.intro.iter().map(|b| (None, b));
        let steps = self.steps.iter().enumerate().flat_map(|(i, s)| s.blocks.iter().map(move |b| (Some(i), b)));
        intro.chain(steps).filter_map(|(i, b)| match b {
            Block::Quiz { quiz, .. } => Some((i, quiz)),
            _ => None,
        })
    }

    pub fn quiz(&self, id: &str) -> Option<&Quiz> {
        self.quizzes().map(|(_, q)| q).find(|q| q.id == id)
    }
}
