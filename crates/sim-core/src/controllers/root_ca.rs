//! The root CA publisher (kube-controller-manager's `root-ca-cert-publisher`): every
//! namespace gets a `kube-root-ca.crt` ConfigMap with the cluster CA, recreated if
//! deleted. That is why `kubectl get configmaps` in a brand-new namespace is not empty.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{put_if_changed, Wakeups};
use crate::cluster::Cluster;
use crate::rand::SeededRng;
use crate::resources::Kind;
use crate::store::{Object, ObjectKey};

pub const ROOT_CA_CONFIG_MAP: &str = "kube-root-ca.crt";
const DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk.first().copied().unwrap_or(0), chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let index = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A PEM certificate block of the shape kubeadm's CA has (a 1033-byte DER body, 64
/// characters a line), drawn from the generator: each cluster has its own CA.
pub fn certificate_pem(rng: &mut SeededRng) -> String {
    // DER: SEQUENCE (0x30 0x82 len=0x0405) { SEQUENCE (0x30 0x82 0x02 0xed) ... }, so
    // the text begins `MIIEBTCCAu2g` like kubeadm's certificates.
    let mut der = vec![0x30, 0x82, 0x04, 0x05, 0x30, 0x82, 0x02, 0xed, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x08];
    while der.len() < 1033 {
        der.extend_from_slice(&rng.next_u64().to_be_bytes());
    }
    der.truncate(1033);
    let body = base64(&der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or(""));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

pub fn reconcile(cluster: &mut Cluster, _wake: &mut Wakeups) {
    let namespaces: Vec<String> = cluster
        .store
        .list(Kind::Namespace, None)
        .filter(|o| o.metadata().deletion_timestamp.is_none())
        .map(|o| o.name().to_string())
        .collect();
    for ns in namespaces {
        let key = ObjectKey::new(Kind::ConfigMap, &ns, ROOT_CA_CONFIG_MAP);
        // A restored snapshot keeps its CA: take it from an existing ConfigMap.
        if cluster.controllers.root_ca.is_none() {
            cluster.controllers.root_ca = cluster.store.list(Kind::ConfigMap, None).find_map(|o| match o {
                Object::ConfigMap(cm) if o.name() == ROOT_CA_CONFIG_MAP => cm.data.as_ref()?.get("ca.crt").cloned(),
                _ => None,
            });
        }
        let ca = match &cluster.controllers.root_ca {
            Some(ca) => ca.clone(),
            None => {
                let ca = certificate_pem(&mut cluster.rng);
                cluster.controllers.root_ca = Some(ca.clone());
                ca
            }
        };
        let mut data = BTreeMap::new();
        data.insert("ca.crt".to_string(), ca);
        let mut annotations = BTreeMap::new();
        annotations.insert("kubernetes.io/description".to_string(), DESCRIPTION.to_string());
        match cluster.store.get(&key).cloned() {
            Some(Object::ConfigMap(mut cm)) => {
                // A learner's edit is put back, as the publisher does.
                cm.data = Some(data);
                cm.metadata.annotations.get_or_insert_with(BTreeMap::new).extend(annotations);
                put_if_changed(cluster, Object::ConfigMap(cm));
            }
            _ => {
                let cm = ConfigMap {
                    metadata: ObjectMeta {
                        name: Some(ROOT_CA_CONFIG_MAP.to_string()),
                        namespace: Some(ns.clone()),
                        annotations: Some(annotations),
                        ..Default::default()
                    },
                    data: Some(data),
                    ..Default::default()
                };
                cluster.insert_new(Object::ConfigMap(Box::new(cm)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn pem_looks_like_kubeadm_ca() {
        let pem = certificate_pem(&mut SeededRng::new(1));
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\nMIIEBTCCAu2gAwIBAgII"), "{pem}");
        assert!(pem.lines().skip(1).take(5).all(|l| l.len() == 64));
    }
}
