//! A service's pods as they will stop and start: the shutdown timeline, read against the
//! Deployments the mesh renders.

use std::time::Duration as Elapsed;

use connectum_mesh_core::PodTimeline;
use connectum_mesh_core::diag::closest;
use serde_json::Value;

use super::{Deployed, TestingError};

impl Deployed {
    /// The shutdown and start-up timeline of `service`'s pods (preStop, the app's drain, the
    /// proxy's drain, the grace period, and what fails when one step is short), after checking
    /// that every Deployment rendered for the service carries its grace period. The checker's
    /// zero-downtime rules judge the same timeline.
    ///
    /// ```
    /// use std::time::Duration as Elapsed;
    /// use connectum_mesh::testing::Deployed;
    /// use connectum_mesh::{Duration, GracefulShutdown, Mesh, Service};
    ///
    /// let mesh = Mesh::builder()
    ///     .namespace("shop")
    ///     .services([
    ///         Service::builder().name("cart").image("cart:1")
    ///             .shutdown(GracefulShutdown::builder().timeout(Duration::from_secs(20)).build()).build(),
    ///     ])
    ///     .build();
    /// let deployed = Deployed::new(&mesh)?;
    ///
    /// let timeline = deployed.shutdown_timeline("cart")?;
    /// assert_eq!(timeline.app_stops_calling_out_at(), Elapsed::from_secs(25)); // preStop 5s + 20s
    /// assert_eq!(timeline.grace_period(), Elapsed::from_secs(30)); // + 5s margin
    /// assert!(timeline.holds(), "{:?}", timeline.failures());
    /// assert_eq!(deployed.shutdown_timeline("crat").unwrap_err().code(), "CM0810");
    /// # Ok::<(), connectum_mesh::testing::TestingError>(())
    /// ```
    ///
    /// # Errors
    /// [`TestingError::UnknownHost`] when no service of the mesh is `service`;
    /// [`TestingError::NotModelled`] when a rendered Deployment's grace period is not the
    /// timeline's (the documents were edited, see [`Deployed::from_documents`]).
    pub fn shutdown_timeline(&self, service: &str) -> Result<PodTimeline, TestingError> {
        let mesh = self.mesh();
        let Some(timeline) = mesh.shutdown_timeline(service) else {
            return Err(self.unknown_service(service));
        };
        for deployment in self.deployments_of(service) {
            let name = deployment["metadata"]["name"].as_str().unwrap_or_default();
            let seconds =
                deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"].as_u64();
            let deployed = seconds.map(Elapsed::from_secs);
            if deployed != Some(timeline.grace_period()) {
                return Err(TestingError::NotModelled(format!(
                    "Deployment {name} has terminationGracePeriodSeconds {}, the timeline of `{service}` {}s",
                    seconds.map_or_else(|| "unset".to_owned(), |s| s.to_string()),
                    timeline.grace_period().as_secs(),
                )));
            }
        }
        Ok(timeline)
    }

    /// The rendered Deployments whose pods carry `service`'s app label.
    fn deployments_of<'a>(&'a self, service: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        let app_label = self.mesh().app_label.as_str();
        self.documents().iter().filter(move |document| {
            document["kind"] == "Deployment"
                && document["spec"]["template"]["metadata"]["labels"][app_label] == service
        })
    }

    /// CM0810 for a service name the mesh does not declare, with the closest one.
    pub(super) fn unknown_service(&self, name: &str) -> TestingError {
        TestingError::UnknownHost {
            host: name.to_owned(),
            closest: closest(name, self.mesh().services.iter().map(|s| s.name.as_str()))
                .map(str::to_owned),
        }
    }
}
