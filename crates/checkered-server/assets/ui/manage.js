export async function managePage(root) { root.textContent = 'coming'; }
