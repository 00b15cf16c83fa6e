//! Vector handler for `defaults` cases: the minimal object in `input` is created
//! through the simulated API server of a fresh cluster, and the stored spec must equal
//! `expected_spec`, where `<clusterIP>` stands for an address of the service CIDR and
//! `<nodePort>` for a port of the nodePort range.

use serde_json::Value;
use sim_core::apiserver::{self, allocator, CreateOptions};
use sim_core::store::Object;
use sim_core::{ClusterConfig, Simulator};

pub fn check(case: &Value) -> Result<(), String> {
    let input = case.get("input").cloned().unwrap_or(Value::Null);
    let expected = case.get("expected_spec").cloned().unwrap_or(Value::Null);
    let object = Object::from_json(input.clone()).map_err(|e| format!("input does not decode: {e:?}"))?;
    let mut sim = Simulator::new(ClusterConfig::default());
    let opts = CreateOptions { raw: Some(input), ..Default::default() };
    let created = apiserver::create(&mut sim.cluster, object, &opts).map_err(|s| format!("create failed: {}", s.kubectl_message()))?;
    let got = created.to_json().get("spec").cloned().unwrap_or(Value::Null);
    let mut problems = Vec::new();
    compare(&expected, &got, "spec", &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\nstored spec: {}", problems.join("\n"), serde_json::to_string(&got).unwrap_or_default()))
    }
}

fn compare(want: &Value, got: &Value, path: &str, problems: &mut Vec<String>) {
    match (want, got) {
        (Value::String(p), g) if p == "<clusterIP>" => {
            let ok = g.as_str().and_then(|s| s.parse().ok()).is_some_and(|ip| allocator::IpRange::kind_default().index_of(ip).is_some());
            if !ok {
                problems.push(format!("{path}: expected an allocated clusterIP, got {g}"));
            }
        }
        (Value::String(p), g) if p == "<nodePort>" => {
            let ok = g.as_i64().is_some_and(|n| allocator::PortRange::kind_default().contains(n as i32));
            if !ok {
                problems.push(format!("{path}: expected an allocated nodePort, got {g}"));
            }
        }
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                match g.get(k) {
                    Some(gv) => compare(wv, gv, &format!("{path}.{k}"), problems),
                    None => problems.push(format!("{path}.{k}: missing, expected {wv}")),
                }
            }
            for (k, gv) in g {
                if !w.contains_key(k) {
                    problems.push(format!("{path}.{k}: unexpected {gv}"));
                }
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                compare(wv, gv, &format!("{path}[{i}]"), problems);
            }
        }
        (w, g) => {
            if w != g {
                problems.push(format!("{path}: expected {w}, got {g}"));
            }
        }
    }
}
