//! Kubeconfig, context and namespace resolution (kubectl's precedence), API errors → hints.
