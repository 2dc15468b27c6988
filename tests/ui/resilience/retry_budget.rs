// The guide's published values: mesh attempts 3 on top of the app's maxRetries 2. One failing
// request from the gateway can become (1 + 3) × (1 + 2) = 12 calls, over the budget of 10.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        external envoy-gateway {
            service_account: connectum/envoy-gateway,
            calls: [order-service],
        }
        service order-service {
            image: "order:1.0.0",
            interceptors: { retry: { max_retries: 2 } },
            route {
                to: order-service,
                timeout: 30s,
                retries: { attempts: 3, per_try_timeout: 10s },
            }
        }
    };
}
