//! Names the cluster makes up: generated names (`generateName`), the pod-template-hash,
//! ReplicaSet and pod names, and container names `kubectl create deployment` derives
//! from images.

use k8s_openapi::api::core::v1::PodTemplateSpec;

use crate::rand::{SeededRng, NAME_ALPHABET};

/// `names.SimpleNameGenerator`: a generated name is at most 63 characters, so the base
/// is cut to 63 - 5 = 58 before the random suffix.
pub const MAX_GENERATED_NAME_LENGTH: usize = 58;
/// The label the Deployment controller adds to a ReplicaSet's selector, template and pods.
pub const POD_TEMPLATE_HASH_LABEL: &str = "pod-template-hash";
/// Length of the random suffix of generated names.
pub const RANDOM_LENGTH: usize = 5;

/// `rand.SafeEncodeString`: each byte `b` becomes `NAME_ALPHABET[b % 27]`, so a decimal
/// number turns into a string of `4 5 6 7 8 9 b c d f` that cannot spell words.
pub fn safe_encode_string(s: &str) -> String {
    s.bytes()
        .map(|b| char::from(NAME_ALPHABET.get(usize::from(b) % NAME_ALPHABET.len()).copied().unwrap_or(b'x')))
        .collect()
}

/// FNV-1a, 32 bits (Go's `hash/fnv.New32a`), over a sequence of byte slices.
pub fn fnv1a32(parts: &[&[u8]]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for part in parts {
        for b in *part {
            hash ^= u32::from(*b);
            hash = hash.wrapping_mul(0x0100_0193);
        }
    }
    hash
}

/// `controller.ComputeHash`: FNV-1a over the pod template, then (when the Deployment has
/// a `status.collisionCount`) its little-endian uint32 in an 8-byte buffer, printed in
/// decimal and safe-encoded.
///
/// Upstream hashes a go-spew dump of the Go struct, which we cannot reproduce byte for
/// byte; we hash the template's JSON instead (k8s-openapi writes fields in a fixed
/// order and maps sorted), which keeps what matters to a learner: the same template
/// gives the same hash, a changed template a new one, and the alphabet and length are
/// the real ones.
pub fn pod_template_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    // Serializing these plain data types cannot fail; an empty string is a safe fallback.
    // Through serde_json::Value, not straight to a string: the bytes are the same
    // (k8s-openapi writes fields sorted by their JSON names, byte order, as Value's
    // maps are), and the wasm then needs no second copy of every pod type's Serialize
    // (the typed objects are only ever serialized into a Value elsewhere).
    let json = serde_json::to_value(template).map(|v| v.to_string()).unwrap_or_default();
    let mut collision = [0u8; 8];
    let mut parts: Vec<&[u8]> = vec![json.as_bytes()];
    if let Some(count) = collision_count {
        // Go converts the int32 to uint32 bit for bit.
        collision[..4].copy_from_slice(&(count as u32).to_le_bytes());
        parts.push(&collision);
    }
    safe_encode_string(&fnv1a32(&parts).to_string())
}

/// A generated name: the base cut to 58 characters plus 5 random characters drawn from
/// the cluster's seeded generator (`SimpleNameGenerator.GenerateName`).
pub fn generate_name(base: &str, rng: &mut SeededRng) -> String {
    let cut: String = base.chars().take(MAX_GENERATED_NAME_LENGTH).collect();
    format!("{cut}{}", rng.name_suffix(RANDOM_LENGTH))
}

/// `getNewReplicaSet`: the ReplicaSet of a Deployment is `<deployment>-<hash>`.
pub fn replica_set_name(deployment: &str, hash: &str) -> String {
    format!("{deployment}-{hash}")
}

/// `getPodsPrefix`: pods of a controller get `generateName: <controller>-`, or the bare
/// controller name if that prefix is not a valid pod name prefix.
pub fn pods_prefix(controller: &str) -> String {
    let prefix = format!("{controller}-");
    if is_valid_generate_name_prefix(&prefix) {
        prefix
    } else {
        controller.to_string()
    }
}

/// ValidatePodName with prefix=true: a DNS-1123 subdomain once a trailing `-` is
/// masked (`maskTrailingDash` turns it into `a`).
fn is_valid_generate_name_prefix(prefix: &str) -> bool {
    let masked = match prefix.strip_suffix('-') {
        Some(p) if p.len() > 1 => format!("{p}a"),
        _ => prefix.to_string(),
    };
    masked.len() <= 253
        && !masked.is_empty()
        && masked.split('.').all(|label| {
            let b = label.as_bytes();
            let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
            !b.is_empty() && b.first().is_some_and(ok) && b.last().is_some_and(ok) && b.iter().all(|c| ok(c) || *c == b'-')
        })
}

/// The container name `kubectl create deployment --image=IMAGE` uses (`buildPodSpec`):
/// the last path segment of the image without tag or digest; if it holds `_` or `.`
/// those become `-` and a random 5-character suffix is added (`sanitizeAndUniquify`).
pub fn container_name_from_image(image: &str, rng: &mut SeededRng) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let without_tag = last.split(':').next().unwrap_or(last);
    let name = without_tag.split('@').next().unwrap_or(without_tag);
    if name.contains(['_', '.']) {
        format!("{}-{}", name.replace(['_', '.'], "-"), rng.name_suffix(RANDOM_LENGTH))
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Container, PodSpec};

    fn template(image: &str) -> PodTemplateSpec {
        PodTemplateSpec {
            metadata: None,
            spec: Some(PodSpec {
                containers: vec![Container { name: "nginx".into(), image: Some(image.into()), ..Default::default() }],
                ..Default::default()
            }),
        }
    }

    #[test]
    fn safe_encoding_maps_digits_to_the_hash_alphabet() {
        assert_eq!(safe_encode_string("0123456789"), "456789bcdf");
    }

    #[test]
    fn fnv_matches_go() {
        // Known FNV-1a 32 values: "" and "a".
        assert_eq!(fnv1a32(&[b""]), 0x811c9dc5);
        assert_eq!(fnv1a32(&[b"a"]), 0xe40c292c);
    }

    #[test]
    fn template_hash_is_stable_and_changes_with_the_template() {
        let a = pod_template_hash(&template("nginx"), None);
        assert_eq!(a, pod_template_hash(&template("nginx"), None));
        assert_ne!(a, pod_template_hash(&template("nginx:1.27"), None));
        assert_ne!(a, pod_template_hash(&template("nginx"), Some(1)));
        assert!(a.len() <= 10 && a.bytes().all(|c| b"456789bcdf".contains(&c)), "{a}");
    }

    #[test]
    fn template_json_through_a_value_is_the_typed_serialization() {
        // The hash reads the template's JSON through serde_json::Value (one Serialize
        // per type in the wasm); it must be the bytes a direct serialization writes,
        // or every pod-template-hash would change. A template with mixed-case keys
        // (hostIPC, hostname), nested maps, volumes and probes.
        let template: PodTemplateSpec = serde_json::from_value(serde_json::json!({
            "metadata": {"labels": {"app": "web", "Tier": "b"}, "annotations": {"z": "1", "a": "2"}},
            "spec": {
                "hostIPC": true, "hostname": "h", "hostNetwork": false, "setHostnameAsFQDN": true,
                "containers": [{
                    "name": "web", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
                    "ports": [{"containerPort": 80, "protocol": "TCP", "name": "http"}],
                    "env": [{"name": "A", "value": "1"}],
                    "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5},
                    "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                    "volumeMounts": [{"name": "data", "mountPath": "/data"}]
                }],
                "volumes": [{"name": "data", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "c", "defaultMode": 420}}],
                "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst"
            }
        }))
        .unwrap();
        let direct = serde_json::to_string(&template).unwrap();
        let through_value = serde_json::to_value(&template).unwrap().to_string();
        assert_eq!(through_value, direct);
    }

    #[test]
    fn generated_names() {
        let mut rng = SeededRng::new(1);
        let n = generate_name(&"a".repeat(70), &mut rng);
        assert_eq!(n.len(), 63);
        assert_eq!(pods_prefix("web-7c5ddbdf54"), "web-7c5ddbdf54-");
        assert_eq!(container_name_from_image("registry.k8s.io/e2e-test-images/agnhost:2.39", &mut rng), "agnhost");
        let odd = container_name_from_image("my_app.v2@sha256:abc", &mut rng);
        assert!(odd.starts_with("my-app-v2-") && odd.len() == 15, "{odd}");
    }
}
