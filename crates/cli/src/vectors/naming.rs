//! Vector handler for `naming` cases: SafeEncodeString, the pod-template-hash alphabet,
//! generated names, Deployment → ReplicaSet → Pod names and container names from images.

use serde_json::Value;
use sim_core::naming;
use sim_core::rand::{SeededRng, NAME_ALPHABET};

pub fn check(case: &Value) -> Result<(), String> {
    let function = case.get("function").and_then(Value::as_str).unwrap_or("");
    let input = case.get("input").unwrap_or(&Value::Null);
    let expected = case.get("expected").unwrap_or(&Value::Null);
    match function {
        "SafeEncodeString" => {
            let got = naming::safe_encode_string(input.as_str().unwrap_or(""));
            expect_eq("SafeEncodeString", &got, expected.as_str().unwrap_or(""))
        }
        "ComputeHash output alphabet" => check_hash_alphabet(expected),
        "GenerateName" => check_generate_name(input.as_str().unwrap_or(""), expected),
        "Deployment->ReplicaSet->Pod naming" => check_deployment_naming(input, expected),
        "kubectl create deployment container name" => {
            let image = input.get("image").and_then(Value::as_str).unwrap_or("");
            let got = naming::container_name_from_image(image, &mut SeededRng::new(1));
            expect_eq("container name", &got, expected.get("container_name").and_then(Value::as_str).unwrap_or(""))
        }
        other => Err(format!("unknown naming function {other:?}")),
    }
}

fn expect_eq(what: &str, got: &str, want: &str) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: expected {want:?}, got {got:?}"))
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Every digit maps as the vector says, and hashes of many templates use only the
/// charset and fit in max_len.
fn check_hash_alphabet(expected: &Value) -> Result<(), String> {
    let charset = strings(expected.get("charset")).concat();
    let max_len = expected.get("max_len").and_then(Value::as_u64).unwrap_or(10) as usize;
    if let Some(map) = expected.get("digit_map").and_then(Value::as_object) {
        for (digit, want) in map {
            expect_eq(&format!("digit {digit}"), &naming::safe_encode_string(digit), want.as_str().unwrap_or(""))?;
        }
    }
    for i in 0..200 {
        let template: k8s_openapi::api::core::v1::PodTemplateSpec = serde_json::from_value(serde_json::json!({
            "metadata": {"labels": {"app": format!("app{i}")}},
            "spec": {"containers": [{"name": "c", "image": format!("nginx:1.{i}")}]}
        }))
        .map_err(|e| e.to_string())?;
        for collision in [None, Some(i)] {
            let hash = naming::pod_template_hash(&template, collision);
            if hash.is_empty() || hash.len() > max_len || !hash.chars().all(|c| charset.contains(c)) {
                return Err(format!("hash {hash:?} leaves charset {charset:?} or max_len {max_len}"));
            }
        }
    }
    Ok(())
}

fn check_suffix(name: &str, prefix: &str, expected: &Value) -> Result<(), String> {
    let alphabet = expected.get("suffix_alphabet").and_then(Value::as_str).unwrap_or(std::str::from_utf8(NAME_ALPHABET).unwrap_or(""));
    let suffix_len = expected.get("suffix_length").and_then(Value::as_u64).unwrap_or(5) as usize;
    let Some(suffix) = name.strip_prefix(prefix) else {
        return Err(format!("{name:?} does not start with {prefix:?}"));
    };
    if suffix.len() != suffix_len || !suffix.chars().all(|c| alphabet.contains(c)) {
        return Err(format!("suffix {suffix:?} of {name:?} is not {suffix_len} chars of {alphabet:?}"));
    }
    Ok(())
}

fn check_generate_name(base: &str, expected: &Value) -> Result<(), String> {
    let prefix = expected.get("prefix").and_then(Value::as_str).unwrap_or("");
    let max = expected.get("total_max_length").and_then(Value::as_u64).unwrap_or(63) as usize;
    let mut rng = SeededRng::new(7);
    for _ in 0..50 {
        let name = naming::generate_name(base, &mut rng);
        if name.len() > max {
            return Err(format!("{name:?} is longer than {max}"));
        }
        check_suffix(&name, prefix, expected)?;
    }
    Ok(())
}

/// Runs a Deployment through the controllers and checks the names they produce, with
/// the hash the vector gives standing in for ours (we cannot reproduce go-spew).
fn check_deployment_naming(input: &Value, expected: &Value) -> Result<(), String> {
    let deployment = input.get("deployment").and_then(Value::as_str).unwrap_or("");
    let hash = input.get("pod_template_hash").and_then(Value::as_str).unwrap_or("");
    let rs = naming::replica_set_name(deployment, hash);
    expect_eq("replicaset name", &rs, expected.get("replicaset_name").and_then(Value::as_str).unwrap_or(""))?;
    let prefix = naming::pods_prefix(&rs);
    expect_eq("pod generateName", &prefix, expected.get("pod_generateName").and_then(Value::as_str).unwrap_or(""))?;
    let mut rng = SeededRng::new(3);
    for _ in 0..20 {
        let pod = naming::generate_name(&prefix, &mut rng);
        check_suffix(&pod, &prefix, &serde_json::json!({}))?;
    }
    if let Some(labels) = expected.get("labels_added").and_then(Value::as_object) {
        for (k, v) in labels {
            expect_eq("label key", naming::POD_TEMPLATE_HASH_LABEL, k)?;
            expect_eq("label value", hash, v.as_str().unwrap_or(""))?;
        }
    }
    Ok(())
}
