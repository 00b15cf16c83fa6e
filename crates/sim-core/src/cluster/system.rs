//! What kind v1.32 installs in a fresh cluster: control-plane static pods, kube-proxy
//! and kindnet on every node, CoreDNS, local-path-provisioner, and the `kubernetes`
//! and `kube-dns` Services, written as the manifests kubeadm and kind apply.

use k8s_openapi::chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::{Cluster, KUBELET_VERSION};
use crate::controllers::replicaset::create_pod;
use crate::naming;
use crate::store::Object;

/// Images baked into the kindest/node image, present on every node from the start.
pub const KIND_PRELOADED_IMAGES: &[&str] = &[
    "registry.k8s.io/coredns/coredns:v1.11.3",
    "registry.k8s.io/etcd:3.5.16-0",
    "registry.k8s.io/kube-apiserver:v1.32.2",
    "registry.k8s.io/kube-controller-manager:v1.32.2",
    "registry.k8s.io/kube-scheduler:v1.32.2",
    "registry.k8s.io/kube-proxy:v1.32.2",
    "docker.io/kindest/kindnetd:v20250214-acbabc1a",
    "docker.io/kindest/local-path-provisioner:v20250214-acbabc1a",
    "docker.io/kindest/local-path-helper:v20241212-8ac705d0",
    "registry.k8s.io/pause:3.10",
];

const CONTROL_PLANE_IP: &str = "172.18.0.2";

fn insert(cluster: &mut Cluster, value: Value) {
    // These manifests are fixed and known to decode; a failure would only drop an
    // add-on, never panic.
    if let Ok(object) = Object::from_json(value) {
        cluster.insert_new(object);
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The Services, CoreDNS and local-path-provisioner; the controllers do the rest.
pub fn install_control_plane_addons(cluster: &mut Cluster, created: DateTime<Utc>) {
    insert(cluster, json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "local-path-storage", "labels": {"kubernetes.io/metadata.name": "local-path-storage"},
                     "creationTimestamp": time(created + Duration::seconds(2))},
        "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}
    }));
    // The API server's own Service, its Endpoints and EndpointSlice (kept by the API
    // server's endpoint reconciler, not by the endpoints controllers).
    insert(cluster, json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {
            "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            "sessionAffinity": "None", "type": "ClusterIP"
        },
        "status": {"loadBalancer": {}}
    }));
    insert(cluster, json!({
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": CONTROL_PLANE_IP}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]
    }));
    insert(cluster, json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "kubernetes", "namespace": "default", "generation": 1, "labels": {"kubernetes.io/service-name": "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [CONTROL_PLANE_IP], "conditions": {"ready": true}}],
        "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]
    }));
    insert(cluster, json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {
            "name": "kube-dns", "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
            "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}
        },
        "spec": {
            "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"], "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}
            ],
            "selector": {"k8s-app": "kube-dns"}, "sessionAffinity": "None", "type": "ClusterIP"
        },
        "status": {"loadBalancer": {}}
    }));
    install_config_maps(cluster, created);
    let control_plane_toleration = json!({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"});
    insert(cluster, json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "generation": 1, "labels": {"k8s-app": "kube-dns"}},
        "spec": {
            "progressDeadlineSeconds": 600, "replicas": 2, "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": {"k8s-app": "kube-dns"}},
                "spec": {
                    "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {
                        "labelSelector": {"matchExpressions": [{"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]},
                        "topologyKey": "kubernetes.io/hostname"}}]}},
                    "containers": [{
                        "name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.3", "imagePullPolicy": "IfNotPresent",
                        "args": ["-conf", "/etc/coredns/Corefile"],
                        "ports": [
                            {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                            {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                            {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}
                        ],
                        "livenessProbe": {"failureThreshold": 5, "httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"},
                                          "initialDelaySeconds": 60, "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 5},
                        "readinessProbe": {"failureThreshold": 3, "httpGet": {"path": "/ready", "port": 8181, "scheme": "HTTP"},
                                           "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 1},
                        "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                        "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}, "readOnlyRootFilesystem": true},
                        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                        "volumeMounts": [{"mountPath": "/etc/coredns", "name": "config-volume", "readOnly": true}]
                    }],
                    "dnsPolicy": "Default", "nodeSelector": {"kubernetes.io/os": "linux"},
                    "priorityClassName": "system-cluster-critical", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                    "securityContext": {}, "serviceAccount": "coredns", "serviceAccountName": "coredns", "terminationGracePeriodSeconds": 30,
                    "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}, control_plane_toleration],
                    "volumes": [{"name": "config-volume", "configMap": {"defaultMode": 420, "name": "coredns",
                                 "items": [{"key": "Corefile", "path": "Corefile"}]}}]
                }
            }
        }
    }));
    insert(cluster, json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "local-path-provisioner", "namespace": "local-path-storage", "generation": 1},
        "spec": {
            "progressDeadlineSeconds": 600, "replicas": 1, "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": "local-path-provisioner"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": {"app": "local-path-provisioner"}},
                "spec": {
                    "containers": [{
                        "name": "local-path-provisioner", "image": "docker.io/kindest/local-path-provisioner:v20250214-acbabc1a",
                        "imagePullPolicy": "IfNotPresent",
                        "command": ["local-path-provisioner", "--debug", "start", "--helper-image", "docker.io/kindest/local-path-helper:v20241212-8ac705d0", "--config", "/etc/config/config.json"],
                        "env": [{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}}],
                        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                        "volumeMounts": [{"mountPath": "/etc/config/", "name": "config-volume"}]
                    }],
                    "dnsPolicy": "ClusterFirst", "nodeSelector": {"kubernetes.io/os": "linux"}, "restartPolicy": "Always",
                    "schedulerName": "default-scheduler", "securityContext": {},
                    "serviceAccount": "local-path-provisioner-service-account", "serviceAccountName": "local-path-provisioner-service-account",
                    "terminationGracePeriodSeconds": 30,
                    "tolerations": [{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane", "operator": "Equal"},
                                    {"effect": "NoSchedule", "key": "node-role.kubernetes.io/master", "operator": "Equal"}],
                    "volumes": [{"name": "config-volume", "configMap": {"defaultMode": 420, "name": "local-path-config"}}]
                }
            }
        }
    }));
}

/// kubeadm's static pods: host-network, bound to the control-plane node, owned by it.
pub fn install_static_pods(cluster: &mut Cluster, node: &str, created: DateTime<Utc>) {
    let node_uid = match cluster.store.get(&crate::store::ObjectKey::new(crate::resources::Kind::Node, "", node)) {
        Some(o) => o.metadata().uid.clone().unwrap_or_default(),
        None => String::new(),
    };
    let components: [(&str, String, Vec<&str>); 4] = [
        ("etcd", "registry.k8s.io/etcd:3.5.16-0".into(), vec!["etcd", "--advertise-client-urls=https://172.18.0.2:2379", "--data-dir=/var/lib/etcd"]),
        ("kube-apiserver", format!("registry.k8s.io/kube-apiserver:{KUBELET_VERSION}"), vec!["kube-apiserver", "--advertise-address=172.18.0.2", "--secure-port=6443", "--service-cluster-ip-range=10.96.0.0/16"]),
        ("kube-controller-manager", format!("registry.k8s.io/kube-controller-manager:{KUBELET_VERSION}"), vec!["kube-controller-manager", "--allocate-node-cidrs=true", "--cluster-cidr=10.244.0.0/16"]),
        ("kube-scheduler", format!("registry.k8s.io/kube-scheduler:{KUBELET_VERSION}"), vec!["kube-scheduler", "--bind-address=127.0.0.1"]),
    ];
    for (component, image, command) in components {
        insert(cluster, json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": format!("{component}-{node}"), "namespace": "kube-system",
                "labels": {"component": component, "tier": "control-plane"},
                "annotations": {"kubernetes.io/config.source": "file", "kubernetes.io/config.seen": time(created)},
                "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": node, "uid": node_uid, "controller": true}]
            },
            "spec": {
                "containers": [{
                    "name": component, "image": image, "imagePullPolicy": "IfNotPresent", "command": command,
                    "resources": {"requests": {"cpu": if component == "etcd" { "100m" } else if component == "kube-apiserver" { "250m" } else { "100m" }}},
                    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
                }],
                "dnsPolicy": "ClusterFirst", "enableServiceLinks": true, "hostNetwork": true, "nodeName": node,
                "preemptionPolicy": "PreemptLowerPriority", "priority": 2000001000, "priorityClassName": "system-node-critical",
                "restartPolicy": "Always", "schedulerName": "default-scheduler",
                "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "terminationGracePeriodSeconds": 30,
                "tolerations": [{"effect": "NoExecute", "operator": "Exists"}]
            },
            "status": {"phase": "Pending"}
        }));
    }
}

/// The DaemonSet pods every node runs: kube-proxy and kindnet (the DaemonSets
/// themselves are not simulated; their pods carry ownerReferences to them).
pub fn install_node_daemons(cluster: &mut Cluster, node: &str, daemon_set_uids: &(String, String)) {
    let daemons = [
        ("kube-proxy", &daemon_set_uids.0, format!("registry.k8s.io/kube-proxy:{KUBELET_VERSION}"),
         json!({"controller-revision-hash": "7bb84c4984", "k8s-app": "kube-proxy", "pod-template-generation": "1"}),
         json!(["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"]), "system-node-critical"),
        ("kindnet", &daemon_set_uids.1, "docker.io/kindest/kindnetd:v20250214-acbabc1a".to_string(),
         json!({"app": "kindnet", "controller-revision-hash": "6f8d5b8f96", "k8s-app": "kindnet", "pod-template-generation": "1", "tier": "node"}),
         json!(["/bin/kindnetd"]), "system-node-critical"),
    ];
    for (name, uid, image, labels, command, priority_class) in daemons {
        let pod_name = naming::generate_name(&format!("{name}-"), &mut cluster.rng);
        let value = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": pod_name, "generateName": format!("{name}-"), "namespace": "kube-system", "labels": labels,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": name, "uid": uid, "controller": true, "blockOwnerDeletion": true}]
            },
            "spec": {
                "containers": [{"name": name, "image": image, "imagePullPolicy": "IfNotPresent", "command": command,
                                "securityContext": {"privileged": name == "kube-proxy"}}],
                "hostNetwork": true, "nodeName": node, "priority": 2000001000, "priorityClassName": priority_class,
                "serviceAccount": name, "serviceAccountName": name,
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "tolerations": [
                    {"operator": "Exists"},
                    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists"},
                    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists"},
                    {"effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure", "operator": "Exists"},
                    {"effect": "NoSchedule", "key": "node.kubernetes.io/memory-pressure", "operator": "Exists"},
                    {"effect": "NoSchedule", "key": "node.kubernetes.io/pid-pressure", "operator": "Exists"},
                    {"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "operator": "Exists"},
                    {"effect": "NoSchedule", "key": "node.kubernetes.io/network-unavailable", "operator": "Exists"}
                ]
            },
            "status": {"phase": "Pending"}
        });
        // Created through the API like any DaemonSet pod: defaults and admission.
        if let Ok(pod) = serde_json::from_value::<k8s_openapi::api::core::v1::Pod>(value) {
            create_pod(cluster, pod);
        }
    }
}

const COREFILE: &str = ".:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
";

const KUBE_PROXY_CONFIG: &str = "apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: \"\"
  burst: 0
  contentType: \"\"
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: 0
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: \"\"
  interfaceNamePrefix: \"\"
detectLocalMode: \"\"
enableProfiling: false
healthzBindAddress: \"\"
hostnameOverride: \"\"
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 1s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: \"\"
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: \"0\"
    text:
      infoBufferSize: \"0\"
  verbosity: 0
metricsBindAddress: \"\"
mode: iptables
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: \"\"
showHiddenMetricsForVersion: \"\"
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: \"\"
  rootHnsEndpointName: \"\"
  sourceVip: \"\"";

const KUBE_PROXY_KUBECONFIG: &str = "apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: https://kind-control-plane:6443
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token";

const CLUSTER_CONFIGURATION: &str = "apiServer:
  certSANs:
  - localhost
  - 127.0.0.1
  extraArgs:
  - name: runtime-config
    value: \"\"
apiVersion: kubeadm.k8s.io/v1beta4
caCertificateValidityPeriod: 87600h0m0s
certificateValidityPeriod: 8760h0m0s
certificatesDir: /etc/kubernetes/pki
clusterName: kind
controlPlaneEndpoint: kind-control-plane:6443
controllerManager:
  extraArgs:
  - name: enable-hostpath-provisioner
    value: \"true\"
dns: {}
encryptionAlgorithm: RSA-2048
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: v1.32.2
networking:
  dnsDomain: cluster.local
  podSubnet: 10.244.0.0/16
  serviceSubnet: 10.96.0.0/16
proxy: {}
scheduler: {}
";

const KUBELET_CONFIG: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
cgroupRoot: /kubelet
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: \"\"
cpuManagerReconcilePeriod: 0s
crashLoopBackOff: {}
evictionHard:
  imagefs.available: 0%
  nodefs.available: 0%
  nodefs.inodesFree: 0%
evictionPressureTransitionPeriod: 0s
failSwapOn: false
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageGCHighThresholdPercent: 100
imageMaximumGCAge: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: \"0\"
    text:
      infoBufferSize: \"0\"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
";

/// The ConfigMaps kubeadm and kind create (the add-ons mount some of them).
fn install_config_maps(cluster: &mut Cluster, created: DateTime<Utc>) {
    let config_map = |ns: &str, name: &str, data: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": data});
    let client_ca = crate::controllers::root_ca::certificate_pem(&mut cluster.rng);
    let front_proxy_ca = crate::controllers::root_ca::certificate_pem(&mut cluster.rng);
    let ca_data = base64_of(cluster.controllers.root_ca.get_or_insert_with(|| client_ca.clone()).as_bytes());
    let cluster_info_kubeconfig = format!(
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: {ca_data}\n    server: https://kind-control-plane:6443\n  name: \"\"\ncontexts: null\ncurrent-context: \"\"\nkind: Config\npreferences: {{}}\nusers: null\n"
    );
    let items = [
        config_map("kube-system", "coredns", json!({"Corefile": COREFILE})),
        config_map("kube-system", "kube-proxy", json!({"config.conf": KUBE_PROXY_CONFIG, "kubeconfig.conf": KUBE_PROXY_KUBECONFIG})),
        config_map("kube-system", "kubeadm-config", json!({"ClusterConfiguration": CLUSTER_CONFIGURATION})),
        config_map("kube-system", "kubelet-config", json!({"kubelet": KUBELET_CONFIG})),
        config_map("kube-system", "extension-apiserver-authentication", json!({
            "client-ca-file": client_ca,
            "requestheader-allowed-names": "[\"front-proxy-client\"]",
            "requestheader-client-ca-file": front_proxy_ca,
            "requestheader-extra-headers-prefix": "[\"X-Remote-Extra-\"]",
            "requestheader-group-headers": "[\"X-Remote-Group\"]",
            "requestheader-uid-headers": "[]",
            "requestheader-username-headers": "[\"X-Remote-User\"]"
        })),
        config_map("kube-system", "kube-apiserver-legacy-service-account-token-tracking", json!({"since": created.format("%Y-%m-%d").to_string()})),
        config_map("kube-public", "cluster-info", json!({"kubeconfig": cluster_info_kubeconfig})),
        config_map("local-path-storage", "local-path-config", json!({
            "config.json": "{\n        \"nodePathMap\":[\n        {\n                \"node\":\"DEFAULT_PATH_FOR_NON_LISTED_NODES\",\n                \"paths\":[\"/var/local-path-provisioner\"]\n        }\n        ]\n}",
            "helperPod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: helper-pod\nspec:\n  containers:\n  - name: helper-pod\n    image: docker.io/kindest/local-path-helper:v20241212-8ac705d0\n    imagePullPolicy: IfNotPresent",
            "setup": "#!/bin/sh\nset -eu\nmkdir -m 0777 -p \"$VOL_DIR\"",
            "teardown": "#!/bin/sh\nset -eu\nrm -rf \"$VOL_DIR\""
        })),
    ];
    for item in items {
        insert(cluster, item);
    }
}

fn base64_of(bytes: &[u8]) -> String {
    crate::controllers::root_ca::base64(bytes)
}
