# The backbone groups are built from all trainable parameters, head included: the optimizer raises ValueError.
def finetune_optimizer(model, head, lr, head_lr_mult=10.0, weight_decay=1e-4):
    decay = [p for n, p in model.named_parameters() if p.requires_grad and not n.endswith("bias")]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and n.endswith("bias")]
    return torch.optim.SGD([{"params": decay, "weight_decay": weight_decay},
                            {"params": no_decay, "weight_decay": 0.0},
                            {"params": list(head.parameters()), "lr": lr * head_lr_mult}], lr=lr, momentum=0.9)
