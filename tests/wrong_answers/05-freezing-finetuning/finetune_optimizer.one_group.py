# One group for everything: the head gets the same learning rate and the biases are decayed.
def finetune_optimizer(model, head, lr, head_lr_mult=10.0, weight_decay=1e-4):
    return torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr, momentum=0.9,
                           weight_decay=weight_decay)
