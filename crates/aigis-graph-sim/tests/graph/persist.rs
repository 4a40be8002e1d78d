//! The tenant in SQLite: two simulators on one file see one tenant, never
//! reuse an id, and keep it (with its id) across restarts.

use aigis_graph_sim::{Fault, FaultKind, GraphSim, NewGroup};

#[test]
fn two_simulators_on_one_file_share_the_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.db");
    let tenant = "11111111-2222-4333-8444-555555555555";
    let a = GraphSim::open(&path, tenant, "aigis-demo.onmicrosoft.com", 0).unwrap();
    let b = GraphSim::open(&path, "other", "other.example", 0).unwrap();
    assert_eq!(
        b.tenant_id(),
        tenant,
        "the stored tenant wins over the initial one"
    );
    let g1 = a.add_group(NewGroup::security("AI - Copilot")).unwrap();
    let g2 = b.add_group(NewGroup::security("AI - Gemini")).unwrap();
    assert_ne!(g1, g2);
    assert!(a.group(&g2).is_some());
    b.inject(Fault::any(1, FaultKind::Status { status: 500 }));
    drop(a);
    drop(b);
    let c = GraphSim::open(&path, tenant, "aigis-demo.onmicrosoft.com", 0).unwrap();
    assert_eq!(c.group(&g1).unwrap().display_name, "AI - Copilot");
    assert_eq!(c.group(&g2).unwrap().display_name, "AI - Gemini");
    // The pending fault survived the restart too.
    let r = c.handle("GET", "/v1.0/groups", &[], None);
    assert_eq!(r.status, 500, "{}", r.body);
}
