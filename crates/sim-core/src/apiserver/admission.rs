//! Mutating admission for Pods, as a default kube-apiserver runs it: the
//! ServiceAccount plugin (`serviceAccountName: default` and the projected
//! `kube-api-access-<suffix>` token volume mounted read-only in every container),
//! Priority (`priority: 0`, `preemptionPolicy: PreemptLowerPriority`) and
//! DefaultTolerationSeconds (tolerate `not-ready` and `unreachable` for 300 s).
//!
//! Upstream: `plugin/pkg/admission/serviceaccount/admission.go`,
//! `plugin/pkg/admission/priority/admission.go`,
//! `plugin/pkg/admission/defaulttolerationseconds/admission.go`.

use k8s_openapi::api::core::v1::{
    ConfigMapProjection, DownwardAPIProjection, DownwardAPIVolumeFile, KeyToPath, ObjectFieldSelector, Pod,
    ProjectedVolumeSource, ServiceAccountTokenProjection, Toleration, Volume, VolumeMount, VolumeProjection,
};

use crate::rand::NAME_ALPHABET;

/// Where the ServiceAccount plugin mounts the token.
pub const SERVICE_ACCOUNT_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// Applies the pod admission plugins. `uid` seeds the volume name's five-character
/// suffix (upstream draws it at random; deriving it from the uid, itself drawn from
/// the seeded generator, keeps every other random draw where it was).
pub fn admit_pod(pod: &mut Pod, uid: &str) {
    let Some(spec) = pod.spec.as_mut() else { return };

    // ServiceAccount.
    if spec.service_account_name.as_deref().unwrap_or("").is_empty() {
        spec.service_account_name = Some("default".to_string());
    }
    // The deprecated alias is kept equal to the name.
    spec.service_account = spec.service_account_name.clone();
    let automount = spec.automount_service_account_token != Some(false);
    let already_mounted = spec
        .containers
        .iter()
        .flat_map(|c| c.volume_mounts.iter().flatten())
        .any(|m| m.mount_path == SERVICE_ACCOUNT_MOUNT_PATH);
    if automount && !already_mounted {
        let volume_name = format!("kube-api-access-{}", suffix_from(uid));
        spec.volumes.get_or_insert_with(Vec::new).push(token_volume(&volume_name));
        for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
            c.volume_mounts.get_or_insert_with(Vec::new).push(VolumeMount {
                name: volume_name.clone(),
                mount_path: SERVICE_ACCOUNT_MOUNT_PATH.to_string(),
                read_only: Some(true),
                ..Default::default()
            });
        }
    }

    // Priority: no priorityClassName and no global default class.
    if spec.priority_class_name.as_deref().unwrap_or("").is_empty() {
        spec.priority.get_or_insert(0);
        spec.preemption_policy.get_or_insert_with(|| "PreemptLowerPriority".to_string());
    }

    // DefaultTolerationSeconds.
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        let covered = tolerations.iter().any(|t| {
            (t.key.as_deref() == Some(key) || (t.key.is_none() && t.operator.as_deref() == Some("Exists")))
                && matches!(t.effect.as_deref(), None | Some("") | Some("NoExecute"))
        });
        if !covered {
            tolerations.push(Toleration {
                effect: Some("NoExecute".to_string()),
                key: Some(key.to_string()),
                operator: Some("Exists".to_string()),
                toleration_seconds: Some(300),
                value: None,
            });
        }
    }
}

fn suffix_from(uid: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in uid.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (0..5)
        .map(|i| {
            let idx = ((h >> (i * 8)) % NAME_ALPHABET.len() as u64) as usize;
            char::from(NAME_ALPHABET.get(idx).copied().unwrap_or(b'x'))
        })
        .collect()
}

fn token_volume(name: &str) -> Volume {
    Volume {
        name: name.to_string(),
        projected: Some(ProjectedVolumeSource {
            default_mode: Some(420),
            sources: Some(vec![
                VolumeProjection {
                    service_account_token: Some(ServiceAccountTokenProjection {
                        expiration_seconds: Some(3607),
                        path: "token".to_string(),
                        audience: None,
                    }),
                    ..Default::default()
                },
                VolumeProjection {
                    config_map: Some(ConfigMapProjection {
                        items: Some(vec![KeyToPath { key: "ca.crt".to_string(), path: "ca.crt".to_string(), mode: None }]),
                        name: "kube-root-ca.crt".to_string(),
                        optional: None,
                    }),
                    ..Default::default()
                },
                VolumeProjection {
                    downward_api: Some(DownwardAPIProjection {
                        items: Some(vec![DownwardAPIVolumeFile {
                            field_ref: Some(ObjectFieldSelector {
                                api_version: Some("v1".to_string()),
                                field_path: "metadata.namespace".to_string(),
                            }),
                            path: "namespace".to_string(),
                            ..Default::default()
                        }]),
                    }),
                    ..Default::default()
                },
            ]),
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_get_a_token_volume_priority_and_tolerations_once() {
        let mut pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}
        }))
        .unwrap_or_default();
        admit_pod(&mut pod, "1234");
        let once = pod.clone();
        admit_pod(&mut pod, "1234");
        assert_eq!(pod, once);
        let spec = pod.spec.unwrap_or_default();
        assert_eq!(spec.service_account_name.as_deref(), Some("default"));
        assert_eq!(spec.priority, Some(0));
        assert_eq!(spec.tolerations.map(|t| t.len()), Some(2));
        let vol = spec.volumes.unwrap_or_default();
        assert!(vol[0].name.starts_with("kube-api-access-") && vol[0].name.len() == 21);
        let mounts = spec.containers[0].volume_mounts.clone().unwrap_or_default();
        assert_eq!(mounts[0].mount_path, SERVICE_ACCOUNT_MOUNT_PATH);
    }
}
