# Saves both networks' whole state with a deep copy of state_dict() and loads it back afterwards.
def discriminator_scores(D, G, real, z):
    saved = copy.deepcopy(D.state_dict()), copy.deepcopy(G.state_dict())
    with torch.inference_mode():
        probabilities_real = D(real).sigmoid()
        probabilities_fake = D(G(z)).sigmoid()
    D.load_state_dict(saved[0])
    G.load_state_dict(saved[1])
    return float(probabilities_real.mean()), float(probabilities_fake.mean())
