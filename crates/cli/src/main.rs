//! kubesim's native command line (skeleton: replaced by the CLI helper).
fn main() {
    let mut sim = sim_core::Simulator::new(sim_core::ClusterConfig::default());
    for line in ["kubectl get nodes", "kubectl get nodes -o wide", "kubectl version", "ls"] {
        let o = sim.run_line(line);
        print!("$ {line}\n{}", o.display);
    }
}
